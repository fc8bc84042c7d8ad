//! Output formats shared by every provider kind (the rendering exists once):
//! the pull-request markdown stays within GitHub's comment limit.

use serde_json::json;
use simfleet::kind::ProviderKind::Onomondo;

use crate::workspace::{Workspace, sims_of};

#[test]
fn markdown_past_the_comment_limit_cuts_details_and_counts_them() {
    let ws = Workspace::generated(Onomondo, 1_500, &[]).provider(
        "iot",
        Onomondo,
        json!({"rate_limit": 200}),
    );
    let iccids = ws.emulator().iccids(Onomondo);
    ws.fleet(
        "iot",
        sims_of(&iccids, |i| json!({"name": format!("renamed-pump-{i:05}")})),
    );
    for (command, marker, total) in [
        (
            "plan",
            "<!-- simfleet:plan -->\n",
            "| iot | onomondo | 1500 |",
        ),
        (
            "drift",
            "<!-- simfleet:drift -->\n",
            "| iot | onomondo | 1500 | 1500 |",
        ),
    ] {
        let run = ws.on_manifests(&[command, "--format", "markdown"]);
        assert!(run.code == 0 || run.code == 2, "{command}: {}", run.stderr);
        let md = &run.stdout;
        let chars = md.chars().count();
        assert!(chars <= 65_536, "{command}: {chars} characters");
        assert!(chars > 60_000, "{command}: the budget is used: {chars}");
        assert!(md.starts_with(marker), "{command}: {}", &md[..80]);
        assert!(md.contains(total), "{command}: the summary is whole");
        let shown = md.matches("<details>").count();
        let cut = format!("_{} more SIMs not shown", 1_500 - shown);
        assert!(md.contains(&cut), "{command}: expected `{cut}`");
    }
    // What follows the plan's details survives the cut.
    let plan = ws.on_manifests(&["plan", "--format", "markdown"]);
    assert!(
        plan.stdout.ends_with("**Safety:** no refusals.\n"),
        "{}",
        plan.stdout
    );
}
