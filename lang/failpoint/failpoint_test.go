package failpoint

import "testing"

func TestHitKillsOnTheNthHitOnly(t *testing.T) {
	kills := 0
	old := killFn
	killFn = func() { kills++ }
	defer func() { killFn = old; Arm("") }()

	Arm("a:3, b:1,bad,c:x,d:0")
	if !Armed("a") || !Armed("b") || Armed("c") || Armed("d") {
		t.Fatalf("wrong points armed: %v", counts)
	}
	Hit("a")
	Hit("a")
	if kills != 0 {
		t.Fatalf("killed before the 3rd hit")
	}
	Hit("a")
	if kills != 1 {
		t.Fatalf("kills = %d after the 3rd hit, want 1", kills)
	}
	Hit("a")
	Hit("zzz")
	if kills != 1 {
		t.Fatalf("kills = %d, want 1: later hits and unknown points must not kill", kills)
	}
	Hit("b")
	if kills != 2 {
		t.Fatalf("kills = %d, want 2", kills)
	}
	Arm("")
	Hit("b")
	if kills != 2 || Armed("a") {
		t.Fatalf("disarmed failpoints still fire")
	}
}
