//! Verbs for the day's work, thin shortcuts over the generated commands: `incidents ack`,
//! `resolve`, `note`, `reassign`; `oncall` for a policy or schedule by name or id;
//! `maintenance start` and `end`. Each fills in what PagerDuty requires (`type`, references,
//! the `From` user) and prints what it changed.

use crate::args::{Globals, MaintenanceCommand};
use crate::failure::Failure;
use crate::settings::Settings;
use clap::{Arg, ArgMatches, Command};
use pdrs::{Error, ListOptions, RestClient};
use serde_json::{json, Value};

/// The shortcuts of the `incidents` group, shown in its `--help` beside the generated commands.
pub(crate) fn incident_commands() -> Vec<Command> {
    let ids = || Arg::new("ids").value_name("ID").num_args(1..).required(true).help("Incident ids");
    vec![
        Command::new("ack").about("Acknowledge incidents (shortcut for bulk-update)").arg(ids()),
        Command::new("resolve").about("Resolve incidents (shortcut for bulk-update)").arg(ids()),
        Command::new("note")
            .about("Add a note to incidents (shortcut for create-note)")
            .arg(ids())
            .arg(Arg::new("content").long("content").short('m').required(true).help("The note's text")),
        Command::new("reassign")
            .about("Reassign incidents to a user or an escalation policy (shortcut for bulk-update)")
            .arg(ids())
            .arg(Arg::new("user").long("user").value_name("USER_ID").help("The user to assign them to"))
            .arg(
                Arg::new("policy")
                    .long("policy")
                    .value_name("POLICY_ID")
                    .help("The escalation policy to assign them to"),
            )
            .group(clap::ArgGroup::new("to").args(["user", "policy"]).required(true)),
    ]
}

/// Whether `name` is a shortcut of the `incidents` group.
pub(crate) fn is_incident_shortcut(name: &str) -> bool {
    matches!(name, "ack" | "resolve" | "note" | "reassign")
}

/// Runs `incidents ack|resolve|note|reassign`.
pub(crate) async fn run_incidents(
    pd: &RestClient,
    settings: &Settings,
    globals: &Globals,
    name: &str,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let ids: Vec<String> = matches.get_many::<String>("ids").into_iter().flatten().cloned().collect();
    crate::connect::require_from(settings, &format!("incidents {name}"))?;
    let reference = |id: &str| json!({"id": id, "type": "incident_reference"});
    let changes: Vec<Value> = match name {
        "ack" | "resolve" => {
            let status = if name == "ack" { "acknowledged" } else { "resolved" };
            ids.iter().map(|id| json!({"status": status}).merged(reference(id))).collect()
        }
        "reassign" => {
            let change = match (matches.get_one::<String>("user"), matches.get_one::<String>("policy")) {
                (Some(user), _) => json!({"assignments": [{"assignee": {"id": user, "type": "user_reference"}}]}),
                (_, Some(policy)) => {
                    json!({"escalation_policy": {"id": policy, "type": "escalation_policy_reference"}})
                }
                _ => return Err(Error::InvalidInput("reassign: give --user or --policy".into()).into()),
            };
            ids.iter().map(|id| change.clone().merged(reference(id))).collect()
        }
        _ => {
            let content = matches.get_one::<String>("content").cloned().unwrap_or_default();
            let mut notes = Vec::new();
            for id in &ids {
                let path = format!("/incidents/{id}/notes");
                let note: Value = pd
                    .rpost(path.as_str(), &json!({"content": content}))
                    .await
                    .map_err(|e| Failure::about(&path, e))?;
                notes.push(json!({"incident": id, "note": note["id"], "content": note["content"]}));
            }
            return print(globals, &Value::Array(notes));
        }
    };
    if globals.dry_run {
        return crate::preview::request(pd, "PUT", "/incidents", &[], Some(&Value::Array(changes)), settings);
    }
    let changed: Value = pd.rput("/incidents", &changes).await.map_err(|e| Failure::about("/incidents", e))?;
    let rows: Vec<Value> = changed
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| json!({"id": i["id"], "status": i["status"], "assigned_to": i["assignments"], "title": i["title"]}))
        .collect();
    print(globals, &Value::Array(rows))
}

/// Runs `oncall POLICY_OR_SCHEDULE`: who is on call now for an escalation policy or a schedule,
/// given by id or by name.
pub(crate) async fn run_oncall(pd: &RestClient, globals: &Globals, target: &str) -> Result<(), Failure> {
    let (filter, id) = if let Some(found) = by_name_or_id(pd, "/escalation_policies", target).await? {
        ("escalation_policy_ids", found)
    } else if let Some(found) = by_name_or_id(pd, "/schedules", target).await? {
        ("schedule_ids", found)
    } else {
        return Err(Error::InvalidInput(format!("no escalation policy or schedule named or with id {target:?}")).into());
    };
    let options = ListOptions::new().param_list(filter, [id.as_str()]).param("earliest", "true");
    let oncalls: Vec<Value> = pd.list_all("/oncalls", options).await?;
    // The filter again here, in case a server ignores it.
    let field = if filter == "schedule_ids" { "schedule" } else { "escalation_policy" };
    let rows: Vec<Value> = oncalls
        .into_iter()
        .filter(|o| o[field]["id"] == id.as_str())
        .map(|o| json!({"escalation_level": o["escalation_level"], "user": o["user"], "schedule": o["schedule"], "end": o["end"]}))
        .collect();
    print(globals, &Value::Array(rows))
}

/// The id of the record of `collection` with that id or that name (case-insensitive).
async fn by_name_or_id(pd: &RestClient, collection: &str, target: &str) -> Result<Option<String>, Failure> {
    let path = format!("{collection}/{target}");
    match pd.rget::<Value>(path.as_str()).await {
        Ok(record) => return Ok(record["id"].as_str().map(String::from)),
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
    }
    Ok(pd.find(collection, target, "name").await?.and_then(|r| r["id"].as_str().map(String::from)))
}

/// Runs `maintenance start SERVICE --for 1h` and `maintenance end ID`.
pub(crate) async fn run_maintenance(
    pd: &RestClient,
    settings: &Settings,
    globals: &Globals,
    action: &MaintenanceCommand,
) -> Result<(), Failure> {
    crate::connect::require_from(settings, "maintenance")?;
    match action {
        MaintenanceCommand::Start { service, duration, description } => {
            let service_id = by_name_or_id(pd, "/services", service)
                .await?
                .ok_or_else(|| Error::InvalidInput(format!("no service named or with id {service:?}")))?;
            let now = chrono::Utc::now();
            let end = crate::when::absolute(&format!("+{duration}"), now)
                .ok_or_else(|| Error::InvalidInput(format!("--for {duration}: a duration is 30m, 1h, 2d...")))?;
            let window = json!({
                "type": "maintenance_window",
                "start_time": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "end_time": end,
                "description": description,
                "services": [{"id": service_id, "type": "service_reference"}],
            });
            if globals.dry_run {
                return crate::preview::request(pd, "POST", "/maintenance_windows", &[], Some(&window), settings);
            }
            let created: Value = pd.rpost("/maintenance_windows", &window).await?;
            print(globals, &created)
        }
        MaintenanceCommand::End { id } => {
            let path = format!("/maintenance_windows/{id}");
            if globals.dry_run {
                return crate::preview::request(pd, "DELETE", &path, &[], None, settings);
            }
            pd.rdelete(path.as_str()).await.map_err(|e| Failure::about(&path, e))?;
            print(globals, &json!({"id": id, "ended": true}))
        }
    }
}

/// A JSON object with another's fields added.
trait Merged {
    fn merged(self, other: Value) -> Value;
}

impl Merged for Value {
    fn merged(mut self, other: Value) -> Value {
        if let (Value::Object(into), Value::Object(from)) = (&mut self, other) {
            into.extend(from);
        }
        self
    }
}

/// Prints one answer in the chosen format.
fn print(globals: &Globals, value: &Value) -> Result<(), Failure> {
    Ok(crate::output::Printer::new(globals.output, globals.fields.as_deref(), false).value(value)?)
}
