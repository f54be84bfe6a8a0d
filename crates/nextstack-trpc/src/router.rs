//! The procedure registry: every wire path is written once, here.

use std::collections::BTreeMap;

use crate::procedure::{Handler, Procedure, ProcedureKind};

/// All procedures of an API, keyed by their dotted wire path (`core.user.get`).
pub struct Router<C> {
    procedures: BTreeMap<String, Procedure<C>>,
}

impl<C> Clone for Router<C> {
    fn clone(&self) -> Self {
        Self { procedures: self.procedures.clone() }
    }
}

impl<C> Default for Router<C> {
    fn default() -> Self {
        Self { procedures: BTreeMap::new() }
    }
}

impl<C: Send + 'static> Router<C> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a query (GET).
    pub fn query<M, H: Handler<C, M>>(self, path: &str, handler: H) -> Self {
        self.add(path, Procedure::new(ProcedureKind::Query, handler))
    }

    /// Registers a mutation (POST).
    pub fn mutation<M, H: Handler<C, M>>(self, path: &str, handler: H) -> Self {
        self.add(path, Procedure::new(ProcedureKind::Mutation, handler))
    }

    /// Registers a mutation whose input is the request body itself,
    /// `multipart/form-data` or `application/octet-stream` (never batched).
    pub fn body_mutation<M, H: crate::body_input::BodyHandler<C, M>>(
        self,
        path: &str,
        kind: crate::body_input::BodyKind,
        handler: H,
    ) -> Self {
        self.add(path, Procedure::new_body(kind, handler))
    }

    /// Registers a subscription (GET, answered with server-sent events).
    pub fn subscription<M, H: crate::subscription::SubscriptionHandler<C, M>>(self, path: &str, handler: H) -> Self {
        self.add(path, Procedure::new_subscription(handler))
    }

    /// Adds every procedure of `other` under `prefix.` (or as is for an empty prefix).
    pub fn nest(mut self, prefix: &str, other: Router<C>) -> Self {
        for (path, procedure) in other.procedures {
            let full = if prefix.is_empty() { path } else { format!("{prefix}.{path}") };
            self = self.add(&full, procedure);
        }
        self
    }

    fn add(mut self, path: &str, procedure: Procedure<C>) -> Self {
        assert!(
            !path.is_empty() && !path.contains(','),
            "invalid tRPC procedure path {path:?}: must be non-empty and contain no comma"
        );
        let previous = self.procedures.insert(path.to_string(), procedure);
        assert!(previous.is_none(), "tRPC procedure {path:?} registered twice");
        self
    }

    /// The procedure at a path.
    pub fn get(&self, path: &str) -> Option<&Procedure<C>> {
        self.procedures.get(path)
    }

    /// Every procedure, ordered by path (for type generation and tests).
    pub fn procedures(&self) -> impl Iterator<Item = (&str, &Procedure<C>)> {
        self.procedures.iter().map(|(path, p)| (path.as_str(), p))
    }
}
