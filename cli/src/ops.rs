//! A command per operation, built from the operation table: `pdrs <group> <command>`, where the
//! group is the REST tag (`incidents`, `escalation-policies`) or another API's name (`scim`,
//! `slack`), and the command is the operation's name without the group's words
//! (`list_incidents` → `incidents list`, `create_incident_note` → `incidents create-note`).
//! Path parameters are arguments, query and header parameters are flags with the document's
//! types, allowed values and descriptions.

use clap::{Arg, ArgAction, ArgMatches, Command};
use pdrs::spec::{self, Api, Operation, Paging, Param, ParamIn};

/// Flags of pdrs itself, which a parameter's flag must not take.
const RESERVED: &[&str] = &[
    "token",
    "url",
    "region",
    "from",
    "profile",
    "output",
    "fields",
    "attempts",
    "retry-base-ms",
    "max-time",
    "quiet",
    "all",
    "concurrency",
    "data",
    "help",
    "version",
];

/// One generated command group.
pub struct Group {
    /// The command name (`incidents`).
    pub name: String,
    /// The API its operations belong to.
    pub api: Api,
    /// (command name, operation), in document order.
    pub ops: Vec<(String, &'static Operation)>,
}

/// How an operation's name held its group's words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// As written (`list_incidents` in `incidents`): an operation on many.
    Plural,
    /// In the singular (`update_incident`, `create_schedule_v3` in `schedules-v3`): on one.
    Singular,
    /// Not at all.
    No,
}

/// The command name of an operation in its group: its method name without the group's words
/// (in order, each as written or in the singular; `list_schedules_audit_records_v3` in
/// `schedules-v3` is `list-audit-records`), kebab-cased; the whole name when nothing is left.
fn command_name(op_name: &str, group: &str) -> (String, Held) {
    let words: Vec<&str> = op_name.split('_').filter(|w| !w.is_empty()).collect();
    let plural: Vec<String> = group.split('-').map(String::from).collect();
    let singular: Vec<String> = plural.iter().map(|w| pdrs::naming::singular(w)).collect();
    let (mut rest, mut next, mut held) = (Vec::new(), 0, Held::No);
    for word in &words {
        if next < plural.len() && (*word == plural[next] || *word == singular[next]) {
            // The group's last word is its noun: whether it is plural says one or many.
            if next + 1 == plural.len() {
                held =
                    if *word == plural[next] && plural[next] != singular[next] { Held::Plural } else { Held::Singular };
            }
            next += 1;
        } else {
            rest.push(*word);
        }
    }
    if next < plural.len() || rest.is_empty() {
        return (words.join("-"), Held::No);
    }
    (rest.join("-"), held)
}

/// The command names of a group's operations, given as (method name, HTTP method):
/// [`command_name`], where two would be the same, the one on many is `list` for a GET
/// (`templates list` beside `templates get`) and `bulk-…` otherwise (`incidents update` and
/// `incidents bulk-update`); names still the same are the operations' whole names.
pub fn command_names(ops: &[(&str, &str)], group: &str) -> Vec<String> {
    let short: Vec<(String, Held)> = ops.iter().map(|(name, _)| command_name(name, group)).collect();
    let taken = |name: &str| short.iter().filter(|(other, _)| other == name).count();
    let named: Vec<String> = short
        .iter()
        .zip(ops)
        .map(|((name, held), (_, method))| match held {
            Held::Plural if taken(name) > 1 && *method == "GET" && taken("list") == 0 => "list".to_string(),
            Held::Plural if taken(name) > 1 => format!("bulk-{name}"),
            _ => name.clone(),
        })
        .collect();
    named
        .iter()
        .zip(ops)
        .map(|(name, (op, _))| {
            if named.iter().filter(|other| *other == name).count() == 1 {
                name.clone()
            } else {
                pdrs::naming::kebab(op)
            }
        })
        .collect()
}

/// The groups of every document the crate was built with (the Events API has its own
/// hand-written `events` commands).
pub fn groups() -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for op in spec::operations() {
        let name = match op.api {
            Api::Rest => pdrs::naming::kebab(op.tag),
            Api::EventsV2 | Api::EventsV1 => continue,
            other => pdrs::naming::kebab(other.module()),
        };
        if name.is_empty() || op.name.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|g| g.name == name) {
            Some(group) => group.ops.push((String::new(), op)),
            None => groups.push(Group { name, api: op.api, ops: vec![(String::new(), op)] }),
        }
    }
    groups.sort_by_key(|g| (g.api != Api::Rest, g.name.clone()));
    for group in &mut groups {
        let ops: Vec<(&str, &str)> = group.ops.iter().map(|(_, op)| (op.name, op.method)).collect();
        for ((command, _), name) in group.ops.iter_mut().zip(command_names(&ops, &group.name)) {
            *command = name;
        }
    }
    groups
}

/// The flag of a query or header parameter (`statuses[]` → `statuses`).
pub fn flag_name(param: &Param) -> String {
    let name = pdrs::naming::kebab(param.name.trim_end_matches("[]"));
    if RESERVED.contains(&name.as_str()) {
        format!("param-{name}")
    } else {
        name
    }
}

/// Whether a parameter takes a date: its format says so, or it is one of PagerDuty's range
/// bounds (`since`, `until`), which every document leaves a plain string.
fn is_date(param: &Param) -> bool {
    matches!(param.format, Some("date-time" | "date"))
        || (param.kind == "string" && param.values.is_empty() && matches!(param.name, "since" | "until"))
}

/// One parameter as a clap argument.
pub(crate) fn argument(param: &Param) -> Arg {
    let help = if param.description.is_empty() { format!("`{}`", param.name) } else { param.description.to_string() };
    let mut arg = match param.location {
        ParamIn::Path => Arg::new(param.name).value_name(param.name.to_ascii_uppercase()).required(true),
        _ => Arg::new(param.name).long(flag_name(param)).value_name(param.kind.to_ascii_uppercase()),
    };
    arg = arg.help(help);
    if param.location != ParamIn::Path {
        arg = arg.required(param.required);
    }
    if !param.values.is_empty() {
        arg = arg.value_parser(clap::builder::PossibleValuesParser::new(param.values.iter().copied()));
    } else if param.kind == "integer" {
        arg = arg.value_parser(clap::value_parser!(i64));
    } else if param.kind == "number" {
        arg = arg.value_parser(clap::value_parser!(f64));
    } else if param.kind == "boolean" {
        arg = arg
            .value_parser(clap::builder::BoolishValueParser::new())
            .num_args(0..=1)
            .default_missing_value("true")
            .value_name("BOOL");
    } else if is_date(param) {
        // `-24h` is a value, not a flag.
        arg = arg.value_parser(crate::when::parse_flag).value_name("DATE").allow_hyphen_values(true);
    }
    if param.array {
        arg = arg.action(ArgAction::Append).value_delimiter(',');
    }
    arg
}

/// The clap command of one operation.
pub fn command(name: &str, op: &Operation) -> Command {
    let about = if op.summary.is_empty() { format!("{} {}", op.method, op.path) } else { op.summary.to_string() };
    let mut long = String::new();
    if !op.description.is_empty() {
        long.push_str(op.description);
        long.push_str("\n\n");
    }
    long.push_str(&format!("{} {}", op.method, op.path));
    if let Some(scope) = op.scope {
        long.push_str(&format!(" (OAuth scope {scope})"));
    }
    let mut cmd = Command::new(name.to_string()).about(about).long_about(long);
    for param in op.params {
        cmd = cmd.arg(argument(param));
    }
    if op.json_body {
        cmd = cmd
            .arg(Arg::new("data").long("data").short('d').value_name("JSON").help(
                "The request body: JSON, @file, or @- for standard input; wrapped in its entity key when it is not. \
                 Checked before sending: fields, types, allowed values, dates",
            ))
            .arg(
                Arg::new("allow-unknown-fields")
                    .long("allow-unknown-fields")
                    .action(ArgAction::SetTrue)
                    .help("Send fields of --data the document does not describe (a beta field, say)"),
            )
            .arg(
                Arg::new("example")
                    .long("example")
                    .action(ArgAction::SetTrue)
                    .help("Print a body to start from (every field the document describes) and exit"),
            );
    }
    if op.paging != Paging::None {
        cmd = cmd.arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help("Every page, streamed")).arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_parser(clap::value_parser!(u16).range(1..=32))
                .default_value("1")
                .help("Pages fetched at once with --all (offset paging)"),
        );
    }
    cmd
}

/// A group's command; with `ops` false only its name and summary (a cheap placeholder for
/// `--help` when another group was asked for).
pub fn group_command(group: &Group, ops: bool) -> Command {
    let count = match group.ops.len() {
        1 => "1 operation".to_string(),
        n => format!("{n} operations"),
    };
    let about = match group.api {
        Api::Rest => format!("{} ({count})", group.ops[0].1.tag),
        other => format!("{} ({count}, {})", other.module(), other.file()),
    };
    let mut cmd = Command::new(group.name.clone()).about(about).subcommand_required(true);
    if ops {
        cmd = cmd.subcommands(group.ops.iter().map(|(name, op)| command(name, op)));
    }
    cmd
}

/// The path with its parameters filled in (each value percent-encoded as one segment).
pub fn fill_path(op: &Operation, matches: &ArgMatches) -> String {
    let mut path = op.path.to_string();
    for param in op.params.iter().filter(|p| p.location == ParamIn::Path) {
        if let Some(value) = matches.get_one::<String>(param.name) {
            let encoded = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string();
            path = path.replace(&format!("{{{}}}", param.name), &encoded);
        }
    }
    path
}

/// Name and value pairs, as they go on the wire.
pub type Pairs = Vec<(String, String)>;

/// The query pairs and headers given on the command line, as they go on the wire.
pub fn query_and_headers(op: &Operation, matches: &ArgMatches) -> (Pairs, Pairs) {
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for param in op.params.iter().filter(|p| p.location != ParamIn::Path) {
        // A command may leave some of the operation's parameters out (`watch`).
        let values: Vec<String> = match param.kind {
            "integer" => given::<i64>(matches, param.name),
            "number" => given::<f64>(matches, param.name),
            "boolean" if param.values.is_empty() => given::<bool>(matches, param.name),
            _ => given::<String>(matches, param.name),
        };
        let target = if param.location == ParamIn::Header { &mut headers } else { &mut query };
        target.extend(values.into_iter().map(|v| (param.name.to_string(), v)));
    }
    (query, headers)
}

/// The values given for the flag `name` as they go on the wire; none when the command has no
/// such flag.
fn given<T: Clone + Send + Sync + ToString + 'static>(matches: &ArgMatches, name: &str) -> Vec<String> {
    matches.try_get_many::<T>(name).ok().flatten().into_iter().flatten().map(T::to_string).collect()
}
