//! A project of its own that depends on the packaged pdrs: lists the users of the embedded mock
//! with the generic layer, then reads one back with a typed call.

use pdrs::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = pdrs::mock::MockServer::start().await?;
    let pd = pdrs::RestClient::builder("any-token").base_url(mock.url()).build()?;
    let users: Vec<serde_json::Value> = pd.list_all("/users", pdrs::ListOptions::new()).await?;
    let id = users.first().and_then(|u| u["id"].as_str()).ok_or("the mock has no users")?;
    let user = pd.api().get_user().id(id).send().await?.into_inner().user.ok_or("no user in the answer")?;
    println!("consumer: listed {} users; typed get_user {id}: {:?}", users.len(), user.name);
    Ok(())
}
