//! What a procedure's input and output look like in TypeScript, kept for type
//! generation (feature `typegen`, through ts-rs). Without the feature every
//! type qualifies and nothing is kept.

/// A type a procedure may take or return: with `typegen`, one ts-rs describes.
#[cfg(feature = "typegen")]
pub trait Described: ts_rs::TS + 'static {}
#[cfg(feature = "typegen")]
impl<T: ts_rs::TS + 'static> Described for T {}

/// A type a procedure may take or return (any type, without `typegen`).
#[cfg(not(feature = "typegen"))]
pub trait Described {}
#[cfg(not(feature = "typegen"))]
impl<T: ?Sized> Described for T {}

/// Without `typegen`: nothing is known of a type.
#[cfg(not(feature = "typegen"))]
#[derive(Debug, Clone, Copy)]
pub struct TypeDesc;

#[cfg(not(feature = "typegen"))]
impl TypeDesc {
    /// The (empty) description of `T`.
    pub fn of<T: Described>() -> Self {
        Self
    }
}

#[cfg(feature = "typegen")]
pub use described::{Declaration, TypeDesc};

#[cfg(feature = "typegen")]
mod described {
    use ts_rs::TS;

    /// A TypeScript description of one wire type, kept for type generation.
    #[derive(Clone, Copy)]
    pub struct TypeDesc {
        /// The type written inline (`{ id: string, ... }`).
        pub inline: fn(&ts_rs::Config) -> String,
        /// The named types it refers to.
        pub dependencies: fn(&ts_rs::Config) -> Vec<ts_rs::Dependency>,
        /// Declarations of every named type it refers to, transitively.
        pub declarations: fn(&ts_rs::Config) -> Vec<Declaration>,
        /// For a named (exportable) type: how to refer to it (`Page<File>`) and its own declaration.
        pub named: fn(&ts_rs::Config) -> Option<(String, Declaration)>,
    }

    /// A named TypeScript type: `type Name = ...;`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Declaration {
        /// The name (without generic parameters).
        pub name: String,
        /// `type Name<T> = ...;`
        pub decl: String,
    }

    impl TypeDesc {
        /// The description of `T`.
        pub fn of<T: TS + 'static>() -> Self {
            Self {
                inline: T::inline,
                dependencies: T::dependencies,
                declarations: declarations_of::<T>,
                named: named::<T>,
            }
        }
    }

    fn named<T: TS + 'static>(cfg: &ts_rs::Config) -> Option<(String, Declaration)> {
        T::output_path()?;
        Some((T::name(cfg), Declaration { name: T::ident(cfg), decl: T::decl(cfg) }))
    }

    /// Walks `T`'s dependencies depth-first, declaring each named (exportable) type once.
    fn declarations_of<T: TS + 'static>(cfg: &ts_rs::Config) -> Vec<Declaration> {
        struct Collect<'a> {
            cfg: &'a ts_rs::Config,
            seen: std::collections::HashSet<std::any::TypeId>,
            out: Vec<Declaration>,
        }
        impl ts_rs::TypeVisitor for Collect<'_> {
            fn visit<U: TS + 'static + ?Sized>(&mut self) {
                // Primitives and containers have no output path: only their parameters are named.
                if U::output_path().is_none() || !self.seen.insert(std::any::TypeId::of::<U>()) {
                    return;
                }
                self.out.push(Declaration { name: U::ident(self.cfg), decl: U::decl(self.cfg) });
                U::visit_dependencies(self);
                U::visit_generics(self);
            }
        }
        let mut collect = Collect { cfg, seen: Default::default(), out: Vec::new() };
        T::visit_dependencies(&mut collect);
        T::visit_generics(&mut collect);
        collect.out
    }

    impl std::fmt::Debug for TypeDesc {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str((self.inline)(&ts_rs::Config::default()).as_str())
        }
    }
}
