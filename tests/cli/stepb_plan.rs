//! `skusunset check-plan`: the record of a step B dry run, in Graph's documented JSON shapes,
//! passes; each refusal is the same record with one rule broken.

use crate::util::{fixture, run, stderr, stdout};
use serde_json::{Value, json};
use skusunset::analyze::stepb_plan::check_plan;
use skusunset::model::stepb_plan::StepBPlan;

const E4: &str = "1392051d-0cb9-4b7a-88d5-621fee5e8711";
const E5: &str = "c7df2760-2c81-4ef7-b578-5b5392b571df";
const EXCHANGE: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";

fn record() -> Value {
    let text = std::fs::read_to_string(fixture("stepb/contoso-ltd-plan-dryrun.json")).unwrap();
    serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap()
}

fn findings(record: &Value) -> Vec<String> {
    let plan: StepBPlan = serde_json::from_value(record.clone()).unwrap();
    check_plan(&plan)
        .findings
        .into_iter()
        .map(|f| format!("{}: {}", f.user, f.message))
        .collect()
}

fn user<'a>(record: &'a mut Value, upn: &str) -> &'a mut Value {
    record["users"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|u| u["userPrincipalName"] == upn)
        .unwrap()
}

#[test]
fn a_sound_record_passes() {
    let plan: StepBPlan = serde_json::from_value(record()).unwrap();
    let check = check_plan(&plan);
    assert_eq!(check.findings, []);
    assert_eq!((check.requests, check.without_request), (3, 1));
}

#[test]
fn a_removal_that_leaves_a_service_on_no_license_is_refused() {
    // Lynne's E5 has Exchange disabled: removing E4 would start her mailbox's deletion.
    let mut r = record();
    let lynne = user(&mut r, "LynneR@contoso.com");
    lynne["before"]["assignedLicenses"][1]["disabledPlans"] = json!([EXCHANGE]);
    assert_eq!(
        findings(&r),
        [
            "LynneR@contoso.com: ENTERPRISEWITHSCAL is removed and these of its enabled services \
          stay on no license: EXCHANGE_S_ENTERPRISE"
        ]
    );
    // Megan's request without enabling Exchange on her E5 is refused the same way.
    let mut r = record();
    let megan = user(&mut r, "MeganB@contoso.com");
    megan["request"] = json!(format!(
        "{{\"addLicenses\":[{{\"skuId\":\"{E5}\",\"disabledPlans\":[\"{EXCHANGE}\"]}}],\"removeLicenses\":[\"{E4}\"]}}"
    ));
    assert_eq!(findings(&r).len(), 1, "{:?}", findings(&r));
    // A keeper in an error state keeps nothing.
    let mut r = record();
    let lynne = user(&mut r, "LynneR@contoso.com");
    lynne["before"]["licenseAssignmentStates"][1]["state"] = json!("Error");
    assert!(
        findings(&r)[0].contains("stay on no license"),
        "{:?}",
        findings(&r)
    );
    // `any`: none of the covering plans enabled after the request.
    let mut r = record();
    let lynne = user(&mut r, "LynneR@contoso.com");
    lynne["keepMode"] = json!("any");
    lynne["keepFamilies"] = json!("KAIZALA_O365");
    assert_eq!(
        findings(&r),
        [
            "LynneR@contoso.com: ENTERPRISEWITHSCAL is removed and no plan of KAIZALA_O365 stays \
          enabled"
        ]
    );
    // No families to check by: a removal is refused.
    let mut r = record();
    user(&mut r, "LynneR@contoso.com")["keepFamilies"] = json!("");
    assert!(
        findings(&r)[0].contains("lists no service plan"),
        "{:?}",
        findings(&r)
    );
}

#[test]
fn malformed_requests_and_trial_targets_are_refused() {
    let mut r = record();
    user(&mut r, "GradyA@contoso.com")["request"] = json!(format!(
        "{{\"addLicenses\":[{{\"skuId\":\"{E5}\",\"disabledPlans\":[]}}],\"removeLicenses\":[\"{E5}\"]}}"
    ));
    assert!(
        findings(&r)
            .iter()
            .any(|f| f.ends_with("ENTERPRISEPREMIUM is both added and removed")),
        "{:?}",
        findings(&r)
    );
    let mut r = record();
    user(&mut r, "GradyA@contoso.com")["request"] = json!(format!(
        "{{\"addLicenses\":[],\"removeLicenses\":[\"{E4}\"]}}"
    ));
    assert!(
        findings(&r)
            .iter()
            .any(|f| f.contains("must add the new plan and remove")),
        "{:?}",
        findings(&r)
    );
    // E5 only as a trial: Grady would be moved onto it.
    let mut r = record();
    r["subscriptions"][1]["isTrial"] = json!(true);
    assert_eq!(
        findings(&r),
        [
            "GradyA@contoso.com: ENTERPRISEPREMIUM is added but the tenant has it only as a trial \
          (or not at all)"
        ]
    );
    let mut r = record();
    user(&mut r, "GradyA@contoso.com")["request"] = json!("{\"addLicenses\":");
    assert!(findings(&r)[0].contains("is not an assignLicense body"));
}

#[test]
fn check_plan_exits_1_on_a_broken_rule_and_2_on_a_file_that_is_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let ok = run(
        dir.path(),
        &[
            "check-plan",
            fixture("stepb/contoso-ltd-plan-dryrun.json")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("3 request(s) checked, 1 row(s) without a request; every rule holds"),
        "{}",
        stdout(&ok)
    );
    let mut r = record();
    r["subscriptions"][1]["isTrial"] = json!(true);
    std::fs::write(dir.path().join("trial.json"), r.to_string()).unwrap();
    let broken = run(dir.path(), &["check-plan", "trial.json"]);
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    assert!(
        stdout(&broken).contains("do not apply this plan"),
        "{}",
        stdout(&broken)
    );
    std::fs::write(dir.path().join("notes.json"), "{\"users\": 3}").unwrap();
    let bad = run(dir.path(), &["check-plan", "notes.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("`notes.json` is not a step B record"),
        "{}",
        stderr(&bad)
    );
}

/// The SDK's error text is the whole HTTP response (as in msgraph-sdk-powershell#2644): Graph's
/// code and message are read from the body after the headers, as the script reads them.
#[test]
fn graph_s_reason_is_read_from_the_sdk_s_error_text() {
    use skusunset::analyze::stepb_plan::graph_error;
    let sdk = "POST https://graph.microsoft.com/v1.0/users/a1b2c3d4-0000-4000-8000-000000000001/assignLicense\r\n\
               HTTP/1.1 400 Bad Request\r\n\
               Cache-Control: no-cache\r\n\
               Transfer-Encoding: chunked\r\n\
               request-id: 3c1d0b3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f\r\n\
               Content-Type: application/json\r\n\
               \r\n\
               {\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"License assignment cannot be done for user with invalid usage location.\",\"innerError\":{\"date\":\"2026-12-07T10:15:00\",\"request-id\":\"3c1d0b3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f\"}}}";
    assert_eq!(
        graph_error(sdk),
        Some((
            "Request_BadRequest".to_string(),
            "License assignment cannot be done for user with invalid usage location.".to_string()
        ))
    );
    // Headers that hold braces, and a body without an error object, give no code.
    assert_eq!(
        graph_error("HTTP/1.1 503 Service Unavailable\r\nX: {a}\r\n\r\n<html/>"),
        None
    );
    assert_eq!(graph_error(""), None);
    // A refused row of an -Apply record is said by check-plan, beside the rules.
    let mut r = record();
    r["mode"] = json!("apply");
    let grady = user(&mut r, "GradyA@contoso.com");
    grady["status"] = json!("failed");
    grady["graphError"] = json!(sdk.replace("Request_BadRequest", "CountViolation"));
    let plan: StepBPlan = serde_json::from_value(r).unwrap();
    let check = check_plan(&plan);
    assert_eq!(check.refusals.len(), 1);
    assert!(
        check.refusals[0]
            .message
            .starts_with("Graph refused (CountViolation): License")
    );
}
