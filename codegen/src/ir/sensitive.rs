//! Which operations carry `@sensitive` members, decided once: the runtime zeroes the request
//! body of an operation whose input carries one and the response bodies of an operation whose
//! output or errors carry one (`OperationInfo::sensitive_input` / `sensitive_output`), so the
//! cost of wiping applies to those operations only.

use std::collections::BTreeSet;

use super::{Operation, RType, Service, Struct, TypeDef};

impl Service {
    /// The input of `op` has a `@sensitive` member, or a member whose type has one, at any depth.
    pub fn sensitive_input(&self, op: &Operation) -> bool {
        self.carries_sensitive(&op.input, &mut BTreeSet::new())
    }

    /// The output of `op` or one of its errors has a `@sensitive` member at any depth.
    pub fn sensitive_output(&self, op: &Operation) -> bool {
        let mut seen = BTreeSet::new();
        self.carries_sensitive(&op.output, &mut seen)
            || op.errors.iter().any(|e| {
                self.error_struct(e)
                    .is_some_and(|s| self.carries_sensitive(s, &mut seen))
            })
    }

    /// `seen` holds the named types already visited (recursive shapes end there).
    fn carries_sensitive(&self, s: &Struct, seen: &mut BTreeSet<String>) -> bool {
        s.sensitive
            || s.fields
                .iter()
                .any(|f| f.sensitive || self.type_carries_sensitive(&f.ty, seen))
    }

    fn type_carries_sensitive(&self, ty: &RType, seen: &mut BTreeSet<String>) -> bool {
        match ty {
            RType::SensitiveString | RType::SensitiveBlob => true,
            RType::List(item, _) | RType::Map(item, _) => self.type_carries_sensitive(item, seen),
            RType::Struct(name) | RType::Union(name) => {
                if !seen.insert(name.clone()) {
                    return false;
                }
                match self.types.get(name) {
                    Some(TypeDef::Struct(s) | TypeDef::Union(s)) => self.carries_sensitive(s, seen),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}
