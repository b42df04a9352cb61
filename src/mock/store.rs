//! The mock's state: records by collection path, in creation order.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// The mock's clock: the time it was started at (or was told it is, `--now`), running on.
#[derive(Clone, Copy)]
pub(crate) struct Clock {
    start: DateTime<Utc>,
    at: Instant,
}

impl Clock {
    pub fn starting(start: DateTime<Utc>) -> Self {
        Self { start, at: Instant::now() }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::from_std(self.at.elapsed()).unwrap_or_default()
    }

    /// Sets the clock to `now`; it runs on from there.
    pub fn set(&mut self, now: DateTime<Utc>) {
        *self = Self::starting(now);
    }

    /// Now, as PagerDuty writes times (`2026-01-01T00:00:00Z`).
    pub fn stamp(&self) -> String {
        self.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::starting(Utc::now())
    }
}

/// A webhook delivery on its way (see `deliveries.rs`).
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    pub url: String,
    pub webhook_id: String,
    pub subscription: String,
    pub signature: String,
    pub body: Vec<u8>,
}

/// The version of the state's JSON form (`MockServer::dump`, `GET /_mock/state`); a state
/// without one is read as this version.
pub(crate) const STATE_FORMAT: u64 = 1;

/// Collections by concrete path (`/users`, `/users/PU00001/contact_methods`).
#[derive(Default)]
pub(crate) struct Store {
    pub collections: BTreeMap<String, Vec<Value>>,
    pub change_events: Vec<Value>,
    next_id: u64,
    /// Every id ever held (seeded, created, loaded, deleted): none is issued twice.
    issued: BTreeSet<String>,
    pub clock: Clock,
    /// The user acting in the request being handled (its `From` header), as a reference:
    /// log entries, acknowledgements and notes record it.
    pub actor: Option<Value>,
    /// Each webhook subscription's secret, by subscription id (shown only when it is created).
    pub webhook_secrets: std::collections::HashMap<String, String>,
    /// Webhook deliveries the request being handled caused, for the sender to take.
    pub outbox: Vec<Outgoing>,
}

impl Store {
    /// An empty state on `clock`.
    pub fn empty(clock: Clock) -> Self {
        Self { clock, ..Self::default() }
    }

    /// Records every id held as issued, so that none is issued again (after seeding).
    pub fn settle(&mut self) {
        self.issued = self.ids().collect();
    }

    /// The ids of every record held.
    fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.collections.values().flatten().filter_map(|r| r.get("id").and_then(Value::as_str)).map(String::from)
    }

    /// A new id: `P` + 6 characters, never one issued before (seeded, created, loaded or
    /// deleted ids included).
    pub fn new_id(&mut self) -> String {
        loop {
            self.next_id += 1;
            let mut n = self.next_id;
            let alphabet = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
            let mut id = String::from("P");
            for _ in 0..6 {
                id.push(alphabet[(n % alphabet.len() as u64) as usize] as char);
                n /= alphabet.len() as u64;
            }
            if self.issued.insert(id.clone()) {
                return id;
            }
        }
    }

    pub fn list(&self, path: &str) -> &[Value] {
        self.collections.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn get(&self, collection: &str, id: &str) -> Option<&Value> {
        self.list(collection).iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id))
    }

    pub fn get_mut(&mut self, collection: &str, id: &str) -> Option<&mut Value> {
        self.collections.get_mut(collection)?.iter_mut().find(|r| r.get("id").and_then(Value::as_str) == Some(id))
    }

    pub fn insert(&mut self, collection: &str, record: Value) {
        self.collections.entry(collection.to_string()).or_default().push(record);
    }

    pub fn remove(&mut self, collection: &str, id: &str) -> bool {
        let Some(records) = self.collections.get_mut(collection) else { return false };
        let before = records.len();
        records.retain(|r| r.get("id").and_then(Value::as_str) != Some(id));
        records.len() != before
    }

    pub fn dump(&self) -> Value {
        json!({"format": STATE_FORMAT, "collections": self.collections, "change_events": self.change_events,
               "next_id": self.next_id, "issued_ids": self.issued})
    }

    /// A state from its dump, checked: collections are lists of objects under paths, ids are
    /// strings unique in their collection; ids issued before (`issued_ids`) and every held id
    /// are never issued again, whatever `next_id` says.
    pub fn load(state: &Value) -> Result<Self, String> {
        match state.get("format") {
            None | Some(Value::Null) => {}
            Some(v) if v.as_u64() == Some(STATE_FORMAT) => {}
            Some(other) => {
                return Err(format!("invalid mock state: format {other} (this mock reads format {STATE_FORMAT})"))
            }
        }
        let collections: BTreeMap<String, Vec<Value>> =
            serde_json::from_value(state.get("collections").cloned().unwrap_or_default())
                .map_err(|e| format!("invalid mock state: collections: {e}"))?;
        for (path, records) in &collections {
            if !path.starts_with('/') {
                return Err(format!("invalid mock state: collection {path:?} is not a path"));
            }
            let mut ids = BTreeSet::new();
            for (i, record) in records.iter().enumerate() {
                if !record.is_object() {
                    return Err(format!("invalid mock state: {path}[{i}] is not an object"));
                }
                match record.get("id") {
                    None => {}
                    Some(Value::String(id)) if ids.insert(id.clone()) => {}
                    Some(Value::String(id)) => return Err(format!("invalid mock state: {path}: id {id} twice")),
                    Some(other) => return Err(format!("invalid mock state: {path}[{i}].id is not a string: {other}")),
                }
            }
        }
        let change_events = match state.get("change_events") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(events)) => events.clone(),
            Some(_) => return Err("invalid mock state: change_events is not a list".into()),
        };
        let next_id = match state.get("next_id") {
            None | Some(Value::Null) => 0,
            Some(n) => n.as_u64().ok_or("invalid mock state: next_id is not a whole number")?,
        };
        let mut store = Self {
            collections,
            change_events,
            next_id,
            issued: BTreeSet::new(),
            clock: Clock::default(),
            ..Self::default()
        };
        store.issued = store.ids().collect();
        if let Some(Value::Array(issued)) = state.get("issued_ids") {
            store.issued.extend(issued.iter().filter_map(Value::as_str).map(String::from));
        }
        Ok(store)
    }
}

/// Adds `record` to `collection`: an id issued when it has none (one the collection holds is refused),
/// `self` written on `base`; returns the record as held.
pub(crate) fn insert_record(store: &mut Store, base: &str, collection: &str, record: Value) -> Result<Value, String> {
    let Value::Object(mut fields) = record else {
        return Err(format!("a record of {collection} must be a JSON object"));
    };
    let collection = format!("/{}", collection.trim_matches('/'));
    let id = match fields.get("id").and_then(Value::as_str) {
        // The same id in another collection is fine (an upgraded schedule is in `/schedules`
        // and `/v3/schedules` alike); twice in one is not.
        Some(id) if store.get(&collection, id).is_some() => {
            return Err(format!("{collection}: id {id} is already held"))
        }
        Some(id) => id.to_string(),
        None => store.new_id(),
    };
    fields.insert("id".into(), Value::String(id.clone()));
    fields.insert("self".into(), Value::String(format!("{base}{collection}/{id}")));
    let record = Value::Object(fields);
    store.insert(&collection, record.clone());
    store.issued.insert(id);
    Ok(record)
}
