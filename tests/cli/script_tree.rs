//! Step B's safety rules, checked on the PowerShell syntax tree of every demo script (no
//! PowerShell runs on the build machines): the only write to Graph sits under `-Apply` and
//! `ShouldProcess`; JSON is never built from a pipe (Windows PowerShell 5.1 unrolls one-element
//! arrays there); the record is written in a `finally`; only the SDK retries.

use crate::util::demo_report;
use skusunset::export::{Exporter, ScriptsExporter};
use tree_sitter::{Node, Tree};

/// The demo's scripts, parsed: (name, text, tree).
fn scripts() -> Vec<(String, String, Tree)> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("the PowerShell grammar loads");
    (ScriptsExporter
        .export(&demo_report())
        .expect("scripts render"))
    .into_iter()
    .filter(|(path, _)| path.extension().is_some_and(|e| e == "ps1"))
    .map(|(path, bytes)| {
        let text = String::from_utf8(bytes).expect("UTF-8");
        let tree = parser.parse(&text, None).expect("a tree");
        (path.display().to_string(), text, tree)
    })
    .collect()
}

/// Every node of the tree.
fn all_nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        found.push(node);
        stack.extend((0..node.child_count()).filter_map(|i| node.child(i as u32)));
    }
    found
}

fn text<'s>(node: Node, src: &'s str) -> &'s str {
    &src[node.byte_range()]
}

/// The commands named `name` (case-insensitive).
fn commands<'t>(tree: &'t Tree, src: &str, name: &str) -> Vec<Node<'t>> {
    all_nodes(tree)
        .into_iter()
        .filter(|n| n.kind() == "command")
        .filter(|n| {
            (0..n.child_count())
                .filter_map(|i| n.child(i as u32))
                .any(|c| c.kind() == "command_name" && text(c, src).eq_ignore_ascii_case(name))
        })
        .collect()
}

/// Whether `node` is in the first branch of an `if` whose condition contains `needle`.
fn guarded_by(node: Node, src: &str, needle: &str) -> bool {
    let mut at = node.parent();
    while let Some(parent) = at {
        if parent.kind() == "if_statement" {
            let children: Vec<Node> = (0..parent.child_count())
                .filter_map(|i| parent.child(i as u32))
                .collect();
            let condition = children.iter().find(|c| c.kind() == "pipeline");
            let then = children.iter().find(|c| c.kind() == "statement_block");
            if let (Some(condition), Some(then)) = (condition, then) {
                let inside =
                    then.start_byte() <= node.start_byte() && node.end_byte() <= then.end_byte();
                if inside && text(*condition, src).contains(needle) {
                    return true;
                }
            }
        }
        at = parent.parent();
    }
    false
}

/// The innermost ancestor of `kind`.
fn ancestor<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut at = node.parent();
    while let Some(parent) = at {
        if parent.kind() == kind {
            return Some(parent);
        }
        at = parent.parent();
    }
    None
}

/// The name of the function `node` is in.
fn function_of<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let function = ancestor(node, "function_statement")?;
    text(function, src)
        .split_whitespace()
        .nth(1)?
        .split('(')
        .next()
}

fn has_parameter(command: Node, src: &str, parameter: &str) -> bool {
    let mut stack = vec![command];
    while let Some(node) = stack.pop() {
        if node.kind() == "command_parameter" && text(node, src).eq_ignore_ascii_case(parameter) {
            return true;
        }
        stack.extend((0..node.child_count()).filter_map(|i| node.child(i as u32)));
    }
    false
}

/// Whether `command` is fed by a pipe (not the first command of its pipeline).
fn piped_into(command: Node) -> bool {
    command
        .parent()
        .and_then(|chain| chain.child(0))
        .is_some_and(|first| first.id() != command.id())
}

#[test]
fn the_only_write_is_under_apply_and_should_process() {
    for (name, src, tree) in scripts() {
        let posts: Vec<Node> = all_nodes(&tree)
            .into_iter()
            .filter(|n| {
                n.kind() == "string_literal" && text(*n, &src).eq_ignore_ascii_case("'POST'")
            })
            .collect();
        assert_eq!(posts.len(), 1, "{name}: one POST");
        for method in ["'PATCH'", "'DELETE'", "'PUT'"] {
            assert!(!src.contains(method), "{name}: {method}");
        }
        assert!(
            guarded_by(posts[0], &src, "$Apply"),
            "{name}: POST outside if ($Apply)"
        );
        assert!(
            guarded_by(posts[0], &src, "ShouldProcess"),
            "{name}: POST outside ShouldProcess"
        );
        // Graph is called in one place, which retries nothing (the SDK does).
        for call in commands(&tree, &src, "Invoke-MgGraphRequest") {
            assert_eq!(function_of(call, &src), Some("Invoke-Graph"), "{name}");
            let function = ancestor(call, "function_statement").unwrap();
            for loop_kind in [
                "for_statement",
                "while_statement",
                "do_statement",
                "foreach_statement",
            ] {
                assert!(
                    !text(function, &src).contains("Start-Sleep")
                        && all_nodes(&tree).iter().all(|n| n.kind() != loop_kind
                            || ancestor(*n, "function_statement").map(|f| f.id())
                                != Some(function.id())),
                    "{name}: Invoke-Graph retries"
                );
            }
        }
    }
}

#[test]
fn json_is_built_and_read_only_through_input_object() {
    for (name, src, tree) in scripts() {
        for cmdlet in ["ConvertTo-Json", "ConvertFrom-Json"] {
            let calls = commands(&tree, &src, cmdlet);
            assert!(!calls.is_empty(), "{name}: {cmdlet} is used");
            for call in calls {
                assert!(
                    has_parameter(call, &src, "-InputObject") && !piped_into(call),
                    "{name}: `{}` is not given -InputObject",
                    text(call, &src)
                );
            }
        }
        // Graph's error body comes after the HTTP headers the SDK puts before it.
        assert!(
            !src.contains("ErrorDetails.Message | ConvertFrom-Json"),
            "{name}"
        );
        assert!(
            src.contains("IndexOf(\"`r`n`r`n\")"),
            "{name}: the headers are skipped"
        );
    }
}

#[test]
fn the_record_is_written_in_a_finally_and_the_session_closed() {
    for (name, src, tree) in scripts() {
        for export in commands(&tree, &src, "Export-Csv") {
            assert_eq!(function_of(export, &src), Some("Write-Result"), "{name}");
            assert!(
                has_parameter(export, &src, "-Append"),
                "{name}: rows are appended"
            );
        }
        let in_finally = |cmdlet: &str| {
            commands(&tree, &src, cmdlet)
                .into_iter()
                .any(|c| ancestor(c, "finally_clause").is_some())
        };
        assert!(
            in_finally("Write-Result"),
            "{name}: Write-Result in finally"
        );
        assert!(
            in_finally("Disconnect-MgGraph"),
            "{name}: Disconnect-MgGraph in finally"
        );
        // Each row is written as soon as its call is done, not only at the end.
        let posts_then_written = commands(&tree, &src, "Write-Result")
            .into_iter()
            .any(|c| guarded_by(c, &src, "$Apply") && ancestor(c, "finally_clause").is_none());
        assert!(posts_then_written, "{name}: rows written after each call");
        // The record is writable before anything changes: written before Connect-MgGraph.
        let header = src
            .find("Set-Content -LiteralPath $ResultCsv")
            .expect("header write");
        let connect = src.find("Connect-MgGraph -TenantId").expect("connect");
        assert!(header < connect, "{name}");
    }
}

#[test]
fn scopes_and_module_version_match_what_the_script_uses() {
    for (name, src, _) in scripts() {
        // `-NoWelcome` exists from Microsoft.Graph.Authentication 2.4.0.
        assert!(src.contains("-NoWelcome"), "{name}");
        assert!(
            src.contains("ModuleName = 'Microsoft.Graph.Authentication'; ModuleVersion = '2.4.0'"),
            "{name}"
        );
        assert!(
            src.contains(
                "-Scopes 'LicenseAssignment.ReadWrite.All', 'Organization.Read.All', 'User.Read.All'"
            ),
            "{name}"
        );
        // Free units leave out warning units and trials.
        assert!(src.contains("- [int]$sku.prepaidUnits.warning"), "{name}");
        assert!(
            src.contains("v1.0/directory/subscriptions") && src.contains("isTrial"),
            "{name}"
        );
    }
}
