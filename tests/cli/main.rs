//! Integration tests: one binary, shared helpers.

pub(crate) mod analysis; // §3 rules on small hand-made inputs with hand-computed expectations
mod architecture; // the folder tree is the pipeline: no room imports from a room after it
mod bad_inputs; // fixtures/bad: hostile files, exit codes and messages; the accounting proof
mod calendar; // --format ics read back: events, reminders, stable UIDs, the runbook link
mod commands; // check / report / demo / catalog end to end, exit codes, snapshots, formula cells
mod dates; // never silently wrong: date order per file, yes/no words, with exact messages
mod hostile; // hostile input round 3: line numbers, values as written, swapped and growing files
mod html; // runbooks: snapshots, content, hostile input, headless Chromium
mod ingest; // every fixture dialect → exact canonical frame and issues; a licenses folder
mod locales; // plural forms and grouped numbers per language; Microsoft's step names and click paths
mod mistakes; // a new user's mistakes made loud: seat counts, undated subscriptions
mod notices; // customer notices: MIME parsed back, facts = the Report's, languages, hostile names
mod outdir; // --out: user files survive, one complete report at every instant, one writer
mod prices; // finance: purchases priced from constructed price lists in every shape
mod reading; // never silently wrong on how a file was saved: CR line ends, stray bytes, cut-off rows
mod redact; // --redact-users: no user name in any output, the same counts, scripts refused
mod script_tree; // step B safety rules on the PowerShell syntax tree: writes, JSON, the record
mod scripts; // step B PowerShell scripts: grammar, hostile names, GUIDs, CSV = users rows
mod stepb_plan; // check-plan: the step B record in Graph's shapes, each rule broken once
mod util; // fixture paths, frame dumps, running the binary
mod weekly; // the weekly cycle: seats already owned, progress and the next action
mod xlsx; // the workbook read back, its parts, LibreOffice
