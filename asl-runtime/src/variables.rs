//! Workflow variables (`Assign`, read as `$name`).
//!
//! A machine's top-level states share one scope. A Parallel branch or an
//! inline Map iteration starts with a copy of the scope around it: it reads
//! the outer variables, and what it assigns stays its own. (A distributed
//! Map's iterations start empty.) The copy is shared until one side writes,
//! so starting a branch or an iteration costs a reference count, and a
//! workflow without variables carries nothing.

use serde_json::{Map, Value};
use std::sync::Arc;

/// The variables one scope sees.
#[derive(Debug, Clone, Default)]
pub(crate) struct Variables(Option<Arc<Map<String, Value>>>);

impl Variables {
    /// `$name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.as_ref()?.get(name)
    }

    /// Every variable, in the order first assigned.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().flat_map(|m| m.iter())
    }

    /// The variables as one map (what a redrive keeps), `None` for none.
    pub fn into_map(self) -> Option<Map<String, Value>> {
        self.0.map(Arc::unwrap_or_clone)
    }

    /// Variables from [`Variables::into_map`]'s map.
    pub fn from_map(map: Option<Map<String, Value>>) -> Self {
        Variables(map.map(Arc::new))
    }

    /// Sets the values a state assigned, all at once when it ends.
    pub fn assign(&mut self, values: Map<String, Value>) {
        if values.is_empty() {
            return;
        }
        let map = Arc::make_mut(self.0.get_or_insert_with(Default::default));
        for (name, value) in values {
            map.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_copy_reads_the_outer_values_and_keeps_its_own() {
        let mut outer = Variables::default();
        outer.assign(json!({"x": 1}).as_object().unwrap().clone());
        let mut inner = outer.clone();
        inner.assign(json!({"x": 2, "y": 3}).as_object().unwrap().clone());
        assert_eq!(outer.get("x"), Some(&json!(1)));
        assert_eq!(outer.get("y"), None);
        assert_eq!(inner.get("x"), Some(&json!(2)));
        assert_eq!(inner.iter().count(), 2);
    }
}
