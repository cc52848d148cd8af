package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// herald deleted --since lists the articles deleted since then, as lines
// or JSON lines, names the next start, warns when the archive did not
// record deletions that far back, and refuses a missing or bad time
// (exit 2); an article archived again is no longer listed; export
// --changed-since says how many were deleted since its start.
func TestDeletedSince(t *testing.T) {
	db, stories, marked := threeStoriesThenMark(t)
	mark := marked.UTC().Format(time.RFC3339Nano)
	out, stderr, code := herald(t, "", "--db", db, "deleted", "--since", mark)
	if code != 0 || out != "" || !strings.Contains(stderr, "0 articles deleted since") || strings.Contains(stderr, "warning") {
		t.Errorf("nothing deleted yet: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "delete", "--yes", "site:two.example"); code != 0 {
		t.Fatalf("delete: exit %d\n%s", code, stderr)
	}
	before := time.Now()
	out, stderr, code = herald(t, "", "--db", db, "deleted", "--since", mark)
	line := regexp.MustCompile(`^(\S+)  (\S+)  https://two\.example/story\.html\n$`).FindStringSubmatch(out)
	if code != 0 || line == nil || !strings.Contains(stderr, "1 article deleted since") {
		t.Fatalf("deleted since the mark: exit %d\n%s%s", code, out, stderr)
	}
	if at, err := time.Parse(time.RFC3339Nano, line[1]); err != nil || at.After(before) || at.Before(before.Add(-time.Minute)) {
		t.Errorf("deleted at %s (%v), want just before %v", line[1], err, before)
	}
	m := regexp.MustCompile(`next: --since (\S+)\n`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no next start named:\n%s", stderr)
	}
	if next, err := time.Parse(time.RFC3339, m[1]); err != nil || next.After(before) || before.Sub(next) > time.Minute+2*time.Second {
		t.Errorf("next from %s (%v), this one started about %s", m[1], err, before.UTC().Format(time.RFC3339))
	}
	out, _, code = herald(t, "", "--db", db, "deleted", "--since", line[1], "--json")
	var d struct {
		ID           string    `json:"id"`
		CanonicalURL string    `json:"canonical_url"`
		Deleted      time.Time `json:"deleted"`
	}
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil || d.ID != line[2] || d.CanonicalURL != "https://two.example/story.html" || d.Deleted.IsZero() {
		t.Errorf("--json since its own time: exit %d %v\n%s", code, err, out)
	}

	// The delta since the mark says there is a deletion to apply.
	_, stderr, code = herald(t, "", "--db", db, "export", "--changed-since", mark)
	if code != 0 || !strings.Contains(stderr, "1 article deleted since: herald deleted --since ") {
		t.Errorf("export --changed-since after a delete: exit %d\n%s", code, stderr)
	}
	// From before the archive was made: a new archive has recorded
	// every deletion, so there is nothing to warn of (an archive that
	// began recording on an upgrade warns: TestMigrateArchiveCopiesDeletions).
	_, stderr, code = herald(t, "", "--db", db, "deleted", "--since", "7d")
	if code != 0 || strings.Contains(stderr, "warning") || !strings.Contains(stderr, "1 article deleted since") {
		t.Errorf("since a week ago: exit %d\n%s", code, stderr)
	}
	// Archived again: no longer deleted.
	if _, stderr, code := herald(t, stories, "--db", db, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import again: exit %d\n%s", code, stderr)
	}
	if out, stderr, code := herald(t, "", "--db", db, "deleted", "--since", mark); code != 0 || out != "" {
		t.Errorf("deleted since the mark, archived again: exit %d\n%s%s", code, out, stderr)
	}

	for _, args := range [][]string{{}, {"--since", "yesterday"}, {"--since", "2999-01-01"}, {"--since", ""}} {
		_, stderr, code := herald(t, "", append([]string{"--db", db, "deleted"}, args...)...)
		if code != 2 || !strings.Contains(stderr, "since") {
			t.Errorf("deleted %q: exit %d, want 2\n%s", args, code, stderr)
		}
	}
}
