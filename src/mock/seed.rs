//! Deterministic seed data.

use serde_json::{json, Value};

/// How many records of each kind the mock starts with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Seed {
    /// Users.
    pub users: usize,
    /// Teams.
    pub teams: usize,
    /// Escalation policies.
    pub escalation_policies: usize,
    /// Services.
    pub services: usize,
    /// Schedules.
    pub schedules: usize,
    /// Incidents, one a minute, the last one a minute before the mock's clock starts (so the
    /// documented default windows hold them).
    pub incidents: usize,
    /// Log entries, one per incident up to this count.
    pub log_entries: usize,
    /// Whether the collections the seed does not build itself (add-ons, status pages, contact
    /// methods...) hold the document's example records.
    pub examples: bool,
    /// Incidents held besides the counted ones, each as the test describes it.
    pub given_incidents: Vec<SeedIncident>,
}

/// One incident a test wants held from the start: its title, status, urgency, age and service.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SeedIncident {
    /// Title.
    pub title: String,
    /// `triggered`, `acknowledged` or `resolved`.
    pub status: String,
    /// `high` or `low`.
    pub urgency: String,
    /// When it was opened (default: a minute before the mock's clock starts).
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The seeded service it belongs to, by index (`Service 0` is 0).
    pub service: usize,
}

impl SeedIncident {
    /// A triggered, high-urgency incident of `Service 0`.
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), status: "triggered".into(), urgency: "high".into(), created_at: None, service: 0 }
    }

    /// Its status (`triggered`, `acknowledged`, `resolved`).
    pub fn status(mut self, status: &str) -> Self {
        self.status = status.to_string();
        self
    }

    /// Its urgency (`high`, `low`).
    pub fn urgency(mut self, urgency: &str) -> Self {
        self.urgency = urgency.to_string();
        self
    }

    /// When it was opened.
    pub fn created_at(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.created_at = Some(at);
        self
    }

    /// The seeded service it belongs to, by index.
    pub fn service(mut self, index: usize) -> Self {
        self.service = index;
        self
    }
}

impl Default for Seed {
    fn default() -> Self {
        Self {
            users: 50,
            teams: 5,
            escalation_policies: 5,
            services: 10,
            schedules: 5,
            incidents: 100,
            log_entries: 100,
            examples: true,
            given_incidents: Vec::new(),
        }
    }
}

impl Seed {
    /// No records at all.
    pub fn empty() -> Self {
        Self {
            users: 0,
            teams: 0,
            escalation_policies: 0,
            services: 0,
            schedules: 0,
            incidents: 0,
            log_entries: 0,
            examples: false,
            given_incidents: Vec::new(),
        }
    }

    /// Sets the number of users.
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }

    /// Whether the example collections are held (see [`Seed::examples`](Self#structfield.examples)).
    pub fn examples(mut self, on: bool) -> Self {
        self.examples = on;
        self
    }

    /// Sets the number of incidents (one a minute up to the mock's clock, statuses in turn).
    pub fn incidents(mut self, n: usize) -> Self {
        self.incidents = n;
        self
    }

    /// Sets the number of teams.
    pub fn teams(mut self, n: usize) -> Self {
        self.teams = n;
        self
    }

    /// Sets the number of escalation policies (each with one rule, a user as its target, and
    /// someone on call).
    pub fn escalation_policies(mut self, n: usize) -> Self {
        self.escalation_policies = n;
        self
    }

    /// Sets the number of services (each on a policy, in turn).
    pub fn services(mut self, n: usize) -> Self {
        self.services = n;
        self
    }

    /// Sets the number of schedules.
    pub fn schedules(mut self, n: usize) -> Self {
        self.schedules = n;
        self
    }

    /// Sets the number of log entries (one per incident, up to this count).
    pub fn log_entries(mut self, n: usize) -> Self {
        self.log_entries = n;
        self
    }

    /// Holds one more incident, as described.
    pub fn incident(mut self, incident: SeedIncident) -> Self {
        self.given_incidents.push(incident);
        self
    }
}

/// The id of the `n`th record of a kind: `P` + a kind letter + 5 digits or more.
pub(crate) fn id(kind: char, n: usize) -> String {
    format!("P{kind}{n:05}")
}

/// The start of seeded time: as many minutes before `now` as there are incidents (one a
/// minute), and at least a day.
pub(crate) fn epoch(seed: &Seed, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    now - chrono::Duration::minutes(seed.incidents.max(24 * 60) as i64)
}

/// A reference to a seeded record, with its summary.
pub(crate) fn reference_to(kind: &str, record: &Value, base: &str, collection: &str) -> Value {
    let summary = record.get("summary").and_then(Value::as_str).unwrap_or("");
    reference(kind, record["id"].as_str().unwrap_or(""), summary, base, collection)
}

fn reference(kind: &str, id: &str, summary: &str, base: &str, collection: &str) -> Value {
    json!({"id": id, "type": format!("{kind}_reference"), "summary": summary, "self": format!("{base}/{collection}/{id}")})
}

/// The seeded collections, by path.
pub(crate) fn collections(seed: &Seed, base: &str, now: chrono::DateTime<chrono::Utc>) -> Vec<(String, Vec<Value>)> {
    let epoch = epoch(seed, now);
    let week_on = (now + chrono::Duration::days(7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Incidents end a minute before now.
    let first_incident = seed.incidents.max(24 * 60) - seed.incidents;
    let roles = ["admin", "user", "limited_user", "observer", "read_only_user", "restricted_access"];
    let stamp = |minutes: usize| {
        (epoch + chrono::Duration::minutes(minutes as i64)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let users: Vec<Value> = (0..seed.users)
        .map(|i| {
            let id = id('U', i);
            json!({"id": id, "type": "user", "name": format!("User {i}"), "email": format!("user{i}@example.com"),
                   "role": roles[i % roles.len()], "time_zone": "Etc/UTC", "summary": format!("User {i}"),
                   "self": format!("{base}/users/{id}"), "html_url": format!("https://mock.pagerduty.local/users/{id}")})
        })
        .collect();
    let teams: Vec<Value> = (0..seed.teams)
        .map(|i| {
            let id = id('T', i);
            json!({"id": id, "type": "team", "name": format!("Team {i}"), "summary": format!("Team {i}"), "self": format!("{base}/teams/{id}")})
        })
        .collect();
    let policies: Vec<Value> = (0..seed.escalation_policies)
        .map(|i| {
            let id = id('E', i);
            let target = users.get(i % users.len().max(1)).map(|u| reference_to("user", u, base, "users"));
            json!({"id": id, "type": "escalation_policy", "name": format!("Policy {i}"), "summary": format!("Policy {i}"),
                   "num_loops": 0, "self": format!("{base}/escalation_policies/{id}"),
                   "escalation_rules": [{"escalation_delay_in_minutes": 30, "targets": target.into_iter().collect::<Vec<_>>()}]})
        })
        .collect();
    let services: Vec<Value> = (0..seed.services)
        .map(|i| {
            let id = id('S', i);
            let policy = policies.get(i % policies.len().max(1)).map(|p| reference_to("escalation_policy", p, base, "escalation_policies"));
            json!({"id": id, "type": "service", "name": format!("Service {i}"), "summary": format!("Service {i}"), "status": "active",
                   "escalation_policy": policy, "self": format!("{base}/services/{id}"), "created_at": stamp(0)})
        })
        .collect();
    let schedules: Vec<Value> = (0..seed.schedules)
        .map(|i| {
            let id = id('C', i);
            json!({"id": id, "type": "schedule", "name": format!("Schedule {i}"), "summary": format!("Schedule {i}"),
                   "time_zone": "Etc/UTC", "self": format!("{base}/schedules/{id}")})
        })
        .collect();
    let statuses = ["triggered", "acknowledged", "resolved"];
    let incidents: Vec<Value> = (0..seed.incidents)
        .map(|i| {
            let id = id('I', i);
            let service = services.get(i % services.len().max(1)).map(|s| reference_to("service", s, base, "services"));
            json!({"id": id, "type": "incident", "incident_number": i + 1, "title": format!("Incident {i}"), "summary": format!("Incident {i}"),
                   "status": statuses[i % 3], "urgency": if i % 2 == 0 { "high" } else { "low" }, "created_at": stamp(first_incident + i),
                   "incident_key": format!("seed-{i}"), "service": service, "self": format!("{base}/incidents/{id}")})
        })
        .collect();
    let mut incidents = incidents;
    for (j, given) in seed.given_incidents.iter().enumerate() {
        let n = seed.incidents + j;
        let id = id('I', n);
        let service = services
            .get(given.service.min(services.len().saturating_sub(1)))
            .map(|s| reference_to("service", s, base, "services"));
        let created_at = given.created_at.unwrap_or(now - chrono::Duration::minutes(1));
        incidents.push(json!({"id": id, "type": "incident", "incident_number": n + 1, "title": given.title,
            "summary": given.title, "status": given.status, "urgency": given.urgency,
            "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "incident_key": format!("seed-{n}"), "service": service, "self": format!("{base}/incidents/{id}")}));
    }
    let log_entries: Vec<Value> = incidents
        .iter()
        .take(seed.log_entries)
        .enumerate()
        .map(|(i, incident)| {
            let id = id('L', i);
            json!({"id": id, "type": "trigger_log_entry", "summary": "Triggered through the API", "created_at": incident["created_at"],
                   "incident": reference_to("incident", incident, base, "incidents"),
                   "self": format!("{base}/log_entries/{id}")})
        })
        .collect();
    // Who is on call: the first rule's user of each policy, on one of the schedules, for the
    // epoch to a week from now.
    let oncalls: Vec<Value> = policies
        .iter()
        .enumerate()
        .filter_map(|(i, policy)| {
            let user = policy.pointer("/escalation_rules/0/targets/0")?.clone();
            let schedule =
                schedules.get(i % schedules.len().max(1)).map(|s| reference_to("schedule", s, base, "schedules"));
            Some(json!({"user": user, "schedule": schedule, "escalation_level": 1,
                        "escalation_policy": reference_to("escalation_policy", policy, base, "escalation_policies"),
                        "start": stamp(0), "end": week_on}))
        })
        .collect();
    vec![
        ("/oncalls".into(), oncalls),
        ("/users".into(), users),
        ("/teams".into(), teams),
        ("/escalation_policies".into(), policies),
        ("/services".into(), services),
        ("/schedules".into(), schedules),
        ("/incidents".into(), incidents),
        ("/log_entries".into(), log_entries),
    ]
}

/// The state `seed` describes, its links on `base`, its times relative to `clock`: the seeded
/// collections, then (when `seed.examples`) every other collection the document shows by
/// example.
pub(crate) fn store(seed: &Seed, base: &str, clock: super::store::Clock) -> super::store::Store {
    let mut store = super::store::Store::empty(clock);
    for (path, records) in collections(seed, base, clock.now()) {
        store.collections.insert(path, records);
    }
    if seed.examples {
        super::example_state::seed(&mut store, base);
    }
    store.settle();
    store
}
