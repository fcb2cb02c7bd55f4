//! The checks particular to `iterate { ... }` blocks: their options, and that every loop
//! variable gets a next value.

use std::collections::HashSet;

use syn::{Expr, Ident};

use crate::ast::{Iterate, Role, Statement};
use crate::diagnostics::{did_you_mean, Diagnostics};

/// The options of a loop: `iterate(rounds = N, strategy = bulk)`.
pub struct LoopOptions<'a> {
    /// The bound on the number of rounds; a fixpoint loop without.
    pub rounds: Option<&'a Expr>,
    /// The strategy, if given.
    pub strategy: Option<StrategyChoice<'a>>,
}

/// How a loop's strategy is given.
pub enum StrategyChoice<'a> {
    /// `auto`, `bulk` or `incremental`, written as such.
    Named(&'a Ident),
    /// Any other expression: a `Strategy` value chosen when the job is built.
    Value(&'a Expr),
}

const OPTIONS: &[&str] = &["rounds", "strategy"];
const STRATEGIES: &[&str] = &["auto", "bulk", "incremental"];

/// Reads and checks the options of `iterate`.
pub fn options<'a>(iterate: &'a Iterate, diagnostics: &mut Diagnostics) -> LoopOptions<'a> {
    let mut options = LoopOptions {
        rounds: None,
        strategy: None,
    };
    let mut seen = HashSet::new();
    for option in &iterate.options {
        let name = option.name.to_string();
        if !seen.insert(name.clone()) {
            diagnostics.error(
                option.name.span(),
                format!("the option `{name}` is given twice"),
                "give each loop option once",
            );
            continue;
        }
        match name.as_str() {
            "rounds" => options.rounds = Some(&option.value),
            "strategy" => {
                let name = strategy_name(&option.value).map(|n| (n, n.to_string()));
                options.strategy = Some(match name {
                    Some((ident, text)) if STRATEGIES.contains(&text.as_str()) => {
                        StrategyChoice::Named(ident)
                    }
                    // A bare name close to a strategy is a typo, not a variable.
                    Some((ident, text))
                        if did_you_mean(&text, STRATEGIES.iter().copied()).is_some() =>
                    {
                        diagnostics.error(
                            ident.span(),
                            format!("unknown loop strategy `{text}`"),
                            "the strategies are `auto` (the planner decides: bulk for inputs that never change, incremental otherwise), `bulk` and `incremental`; a variable holding a `Strategy` works too",
                        );
                        continue;
                    }
                    _ => StrategyChoice::Value(&option.value),
                });
            }
            _ => {
                let help = match did_you_mean(&name, OPTIONS.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "the loop options are `rounds = N` (at most N rounds) and `strategy = auto | bulk | incremental`".to_owned(),
                };
                diagnostics.error(
                    option.name.span(),
                    format!("unknown loop option `{name}`"),
                    help,
                );
            }
        }
    }
    options
}

/// The identifier of `strategy = bulk`.
fn strategy_name(value: &Expr) -> Option<&Ident> {
    match value {
        Expr::Path(path) => path.path.get_ident(),
        _ => None,
    }
}

/// Whether `statements` declare loop variable `name` (`var name = ...;`).
pub fn is_variable(statements: &[Statement], name: &str) -> bool {
    statements.iter().any(|statement| {
        matches!(statement.role, Role::Var(_))
            && statement
                .binding
                .as_ref()
                .is_some_and(|binding| binding.names().iter().any(|n| *n == name))
    })
}

/// Every name the statements of a loop body define.
pub fn names_defined(statements: &[Statement]) -> HashSet<String> {
    statements
        .iter()
        .filter(|statement| !matches!(statement.role, Role::Next(_)))
        .filter_map(|statement| statement.binding.as_ref())
        .flat_map(|binding| binding.names().into_iter().map(ToString::to_string))
        .collect()
}

/// Reports loop variables without a `next` value, and variables set twice; returns the names of
/// the variables without a next value.
pub fn check_variables_set(iterate: &Iterate, diagnostics: &mut Diagnostics) -> Vec<String> {
    let mut unset = Vec::new();
    if !iterate
        .statements
        .iter()
        .any(|statement| matches!(statement.role, Role::Var(_)))
    {
        diagnostics.error(
            iterate.keyword.span(),
            "this loop has no loop variable",
            "declare what changes from round to round: `var x = initial; next x = x -> ...;`",
        );
    }
    let mut set = HashSet::new();
    for statement in &iterate.statements {
        let (Role::Next(_), Some(binding)) = (&statement.role, &statement.binding) else {
            continue;
        };
        for name in binding.names() {
            if !set.insert(name.to_string()) {
                diagnostics.error(
                    name.span(),
                    format!("`{name}` gets its next value twice"),
                    "a loop variable has one `next` statement; combine the two values with `concat` first",
                );
            }
        }
    }
    for statement in &iterate.statements {
        let (Role::Var(_), Some(binding)) = (&statement.role, &statement.binding) else {
            continue;
        };
        for name in binding.names() {
            if !set.contains(&name.to_string()) {
                unset.push(name.to_string());
                diagnostics.error(
                    name.span(),
                    format!("loop variable `{name}` has no next value"),
                    format!("say what `{name}` becomes in the next round: `next {name} = {name} -> ...;`; a name that does not change is a `let`"),
                );
            }
        }
    }
    unset
}

/// Reports a loop variable whose initial value is a stream.
pub fn report_stream_variable(name: &Ident, fixpoint: bool, diagnostics: &mut Diagnostics) {
    let message = if fixpoint {
        format!("loop variable `{name}` starts from a stream: a loop without `rounds` over a stream cannot know when it is done")
    } else {
        format!("loop variable `{name}` starts from a stream, but loops run over collections")
    };
    diagnostics.error(
        name.span(),
        message,
        format!("make it a collection: `var {name} = ... -> to_collection();`"),
    );
}

/// Reports a result name that the loop does not define.
pub fn report_result_not_defined(name: &Ident, diagnostics: &mut Diagnostics) {
    diagnostics.error(
        name.span(),
        format!("the loop's result `{name}` is not defined in the loop"),
        "end the block with a loop variable or a name the block defines with `let`",
    );
}
