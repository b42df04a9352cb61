//! Noticing that the reader of stdout went away while nothing is being written (`pdrs incidents
//! watch | head -3` ends when `head` does, not at the next record).

/// Completes when stdout is a pipe or socket whose reader has gone away (or a terminal that hung
/// up); never for a file or when it cannot tell.
pub(crate) async fn reader_gone() {
    #[cfg(unix)]
    {
        let (tell, told) = tokio::sync::oneshot::channel::<()>();
        // A thread blocked in poll(2) on stdout, asking for no event: only an error or a hang-up
        // (the reader gone) wakes it.
        let spawned = std::thread::Builder::new().name("pdrs-stdout-watch".into()).spawn(move || {
            use std::os::fd::AsFd;
            let stdout = std::io::stdout();
            let fd = stdout.as_fd();
            loop {
                let mut fds = [rustix::event::PollFd::new(&fd, rustix::event::PollFlags::empty())];
                match rustix::event::poll(&mut fds, None) {
                    Ok(_) => {
                        let events = fds[0].revents();
                        if events.intersects(rustix::event::PollFlags::ERR | rustix::event::PollFlags::HUP) {
                            let _ = tell.send(());
                            return;
                        }
                    }
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(_) => return,
                }
            }
        });
        if spawned.is_ok() && told.await.is_ok() {
            return;
        }
    }
    std::future::pending::<()>().await
}
