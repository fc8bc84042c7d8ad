//! The emulator's own endpoints, whatever APIs it serves. Each emulated
//! API against its provider's text is tested in `emulator_<kind>.rs` (and
//! the contract they share in the conformance suite).

use crate::support::Emulator;

#[test]
fn off_loopback_the_control_endpoints_need_the_admin_token() {
    let e = Emulator::start(
        None,
        &[
            "--listen",
            "0.0.0.0:0",
            "--allow-remote",
            "--admin-token",
            "t0k3n-for-tests",
        ],
    );
    let (status, _) = e.request("GET", "/_emulator/state", None, "");
    assert_eq!(status, 401, "the seeded credentials are served to anyone");
    let (status, _) = e.request("GET", "/_emulator/state", Some("Bearer wrong"), "");
    assert_eq!(status, 401);
    let (status, body) = e.request(
        "GET",
        "/_emulator/state",
        Some("Bearer t0k3n-for-tests"),
        "",
    );
    assert_eq!(status, 200, "{body}");

    // On loopback they stay open, as the test harness uses them.
    let local = Emulator::start(None, &[]);
    let (status, _) = local.request("GET", "/_emulator/stats", None, "");
    assert_eq!(status, 200);
}
