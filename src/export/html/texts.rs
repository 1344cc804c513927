//! The page language's texts as the templates see them (`t.key`): a minijinja object that finds
//! a text by hashing its key. Serialised as a table, they are an ordered map, and each of the
//! eighty-odd texts a runbook uses cost a search of hundreds of keys compared as values: a
//! third of minijinja's work on a wave's 19,555 runbooks.

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use std::collections::HashMap;
use std::sync::Arc;

/// The texts of a message table, each made a template value once.
#[derive(Debug)]
pub(super) struct Texts {
    by_key: HashMap<String, Value>,
    /// The keys in the table's order (for a template that walks them).
    keys: Vec<Value>,
}

impl Texts {
    /// The texts of `table` (a value is a text, or a table of them, as the message file has it).
    pub(super) fn of(table: &toml::Table) -> Value {
        let by_key = (table.iter())
            .map(|(key, value)| (key.clone(), Value::from(Serde(value))))
            .collect();
        let keys = table.keys().map(|key| Value::from(key.as_str())).collect();
        Value::from_object(Texts { by_key, keys })
    }
}

impl Object for Texts {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.by_key.get(key.as_str()?).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.keys.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::locale::Messages;

    #[test]
    fn templates_read_the_same_texts_from_the_object_as_from_the_table() {
        let table = Messages::english().table;
        let template = "{{ t.done }}|{{ t.actions.reassign }}|{{ t | length }}|{{ t.missing }}";
        let env = minijinja::Environment::new();
        let as_table = env
            .render_str(template, minijinja::context! { t => Serde(&table) })
            .unwrap();
        let as_object = env
            .render_str(template, minijinja::context! { t => Texts::of(&table) })
            .unwrap();
        assert_eq!(as_object, as_table);
        assert!(as_object.starts_with("done|"), "{as_object}");
        let mut strict = minijinja::Environment::new();
        strict.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let missing = strict.render_str(
            "{{ t.missing }}",
            minijinja::context! { t => Texts::of(&table) },
        );
        assert!(
            missing.is_err(),
            "a text the table lacks is an error, as before"
        );
    }
}
