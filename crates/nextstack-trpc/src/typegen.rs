//! TypeScript for clients: an `AppRouter` type built from the registered
//! procedures, usable as `createTRPCClient<AppRouter>(...)` and with the React
//! Query integrations exactly like a TypeScript server's router type.
//!
//! The module imports only types from `@trpc/server` (clients already depend
//! on it through `@trpc/client`) and declares every named wire type once.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::procedure::{Declaration, ProcedureKind};
use crate::router::Router;
use crate::superjson::Transformer;

/// Two different Rust types want the same TypeScript name.
#[derive(Debug, thiserror::Error)]
#[error("two different types are both named {name} in TypeScript:\n  {first}\n  {second}")]
pub struct NameClash {
    /// The clashing name.
    pub name: String,
    /// One declaration.
    pub first: String,
    /// The other.
    pub second: String,
}

/// A branch of the router tree: nested routers and procedures by path segment.
#[derive(Default)]
struct Node {
    children: BTreeMap<String, Node>,
    procedure: Option<String>,
}

/// What the generated types describe.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypegenOptions<'a> {
    /// The transformer clients use: under superjson the named `date_types` are `Date`.
    pub transformer: Transformer,
    /// Names of the types that are timestamps (ISO strings in plain JSON).
    pub date_types: &'a [&'a str],
}

/// The TypeScript module text for `router`.
pub fn app_router_ts<C: Send + 'static>(router: &Router<C>, options: TypegenOptions<'_>) -> Result<String, NameClash> {
    let superjson = options.transformer == Transformer::Superjson;
    // JSON numbers: 64-bit counts, sizes and sums are plain `number`s on the wire (as Prisma's Int and
    // BigInt-as-number fields), never `bigint`, which JSON.parse cannot produce.
    let cfg = ts_rs::Config::default().with_large_int("number");
    let mut declarations: BTreeMap<String, String> = BTreeMap::new();
    let mut root = Node::default();
    for (path, procedure) in router.procedures() {
        let types = &procedure.types;
        let mut found: Vec<Declaration> = (types.output.declarations)(&cfg);
        if let Some(input) = &types.input {
            found.extend((input.declarations)(&cfg));
        }
        // Outputs are referred to by name (one declaration, readable hovers); inputs are
        // written inline, since several groups have their own `CreateInput` and the like.
        let output = match (types.output.named)(&cfg) {
            Some((reference, own)) => {
                found.push(own);
                reference
            }
            None => (types.output.inline)(&cfg),
        };
        for Declaration { name, decl } in found {
            match declarations.get(&name) {
                Some(existing) if *existing != decl => {
                    return Err(NameClash { name, first: existing.clone(), second: decl });
                }
                Some(_) => {}
                None => {
                    declarations.insert(name, decl);
                }
            }
        }
        let input = match &types.input {
            None => "void".to_string(),
            // An optional input (`Option<T>`) may also be left out by the client.
            Some(input) => {
                let inline = (input.inline)(&cfg);
                if inline.ends_with(" | null") { format!("{inline} | undefined") } else { inline }
            }
        };
        let (kind, output) = match procedure.kind {
            ProcedureKind::Query => ("TRPCQueryProcedure", output),
            ProcedureKind::Mutation => ("TRPCMutationProcedure", output),
            // Events are tracked: `onData` receives `{ id, data }`, as from a TypeScript server's `tracked()`.
            ProcedureKind::Subscription => {
                ("TRPCSubscriptionProcedure", format!("AsyncIterable<{{ id: string; data: {output} }}, void, any>"))
            }
        };
        let node =
            path.split('.').fold(&mut root, |node, segment| node.children.entry(segment.to_string()).or_default());
        node.procedure = Some(format!("{kind}<{{ input: {input}; output: {output}; meta: Meta }}>"));
    }

    let mut out = String::new();
    out.push_str(HEADER);
    for (name, decl) in &declarations {
        if superjson && options.date_types.contains(&name.as_str()) {
            let _ = writeln!(out, "export type {name} = Date;");
        } else {
            let _ = writeln!(out, "export {}", decl.trim_end());
        }
    }
    out.push_str(ROOT);
    let _ =
        writeln!(out, "type Root = {{ ctx: object; meta: Meta; errorShape: ErrorShape; transformer: {superjson} }};\n");
    out.push_str("export type AppRouter = TRPCBuiltRouter<Root, TRPCDecorateCreateRouterOptions<");
    write_node(&mut out, &root, 0);
    out.push_str(">>;\n\n");
    out.push_str(FOOTER);
    Ok(out)
}

fn write_node(out: &mut String, node: &Node, depth: usize) {
    if let Some(procedure) = &node.procedure {
        out.push_str(procedure);
        return;
    }
    out.push_str("{\n");
    for (segment, child) in &node.children {
        let _ = write!(out, "{}{segment:?}: ", "  ".repeat(depth + 1));
        write_node(out, child, depth + 1);
        out.push_str(";\n");
    }
    let _ = write!(out, "{}}}", "  ".repeat(depth));
}

const HEADER: &str = r#"// Generated by `nextstack gen-types` from the Rust procedure definitions. Do not edit.
import type {
  TRPCBuiltRouter,
  TRPCDecorateCreateRouterOptions,
  TRPCDefaultErrorShape,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
  inferRouterInputs,
  inferRouterOutputs,
} from "@trpc/server";

"#;

const ROOT: &str = r#"
/** Procedures carry no meta. */
type Meta = object;

/** tRPC's default error shape plus zod's flattened errors on validation failures (`BAD_REQUEST`). */
export type ErrorShape = TRPCDefaultErrorShape & {
  data: TRPCDefaultErrorShape["data"] & {
    zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
  };
};

"#;

const FOOTER: &str = r#"/** Inputs of every procedure: `RouterInputs["core"]["user"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure: `RouterOutputs["core"]["user"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
"#;
