//! The mock's state: records by collection path, in creation order.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Collections by concrete path (`/users`, `/users/PU00001/contact_methods`).
#[derive(Default)]
pub(crate) struct Store {
    pub collections: BTreeMap<String, Vec<Value>>,
    pub change_events: Vec<Value>,
    next_id: u64,
}

impl Store {
    pub fn seeded(seed: &super::Seed, base: &str) -> Self {
        let mut store = Self::default();
        for (path, records) in super::seed::collections(seed, base) {
            store.collections.insert(path, records);
        }
        store
    }

    /// A new id: `P` + 6 characters.
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        let mut n = self.next_id;
        let alphabet = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let mut id = String::from("P");
        for _ in 0..6 {
            id.push(alphabet[(n % alphabet.len() as u64) as usize] as char);
            n /= alphabet.len() as u64;
        }
        id
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
        json!({"collections": self.collections, "change_events": self.change_events, "next_id": self.next_id})
    }

    pub fn load(state: &Value) -> Result<Self, String> {
        let collections: BTreeMap<String, Vec<Value>> =
            serde_json::from_value(state.get("collections").cloned().unwrap_or_default())
                .map_err(|e| format!("invalid mock state: {e}"))?;
        let change_events = state.get("change_events").and_then(Value::as_array).cloned().unwrap_or_default();
        let next_id = state.get("next_id").and_then(Value::as_u64).unwrap_or(0);
        Ok(Self { collections, change_events, next_id })
    }
}
