package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// heldLog is an importer's log that notes, at each message it is given
// (under the importer's lock), how many messages the importer holds.
type heldLog struct {
	im       *importer
	b        strings.Builder
	mostHeld int
}

func (l *heldLog) Write(p []byte) (int, error) {
	if l.im != nil {
		l.mostHeld = max(l.mostHeld, len(l.im.held))
	}
	return l.b.Write(p)
}

// A long run of lines refused on reading after a record (the record sits
// in its batch until the batch is full) is reported in line order, and
// the importer holds no more messages than a batch has records: the
// batch is stored early to let them out. It used to hold every one of
// them, and print them all at the end.
func TestImportHeldSkipsCapped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	var lines strings.Builder
	good := strings.Split(strings.TrimSpace(archiveLines(3)), "\n")
	lines.WriteString(good[0] + "\n")
	var want []int
	for i := range 700 {
		if i == 400 {
			lines.WriteString(good[1] + "\n")
			continue
		}
		lines.WriteString(fmt.Sprintf("not json %d\n", i))
		want = append(want, i+2)
	}
	lines.WriteString(good[2] + "\n")
	os.WriteFile(in, []byte(lines.String()), 0o644)

	db, err := openLocation(ctx, filepath.Join(dir, "a.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const size = 50
	log := &heldLog{}
	im := newImporter(ctx, db, log, noProgress, size)
	log.im = im
	if err := im.jsonlFile(&env{}, in); err != nil {
		t.Fatal(err)
	}
	err = im.finish()
	if err == nil || !strings.Contains(err.Error(), "699 records or files skipped") {
		t.Errorf("finish: %v, want 699 skipped", err)
	}
	var got []int
	for _, m := range regexp.MustCompile(`in\.jsonl:(\d+): skipped`).FindAllStringSubmatch(log.b.String(), -1) {
		n, _ := strconv.Atoi(m[1])
		got = append(got, n)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("skipped lines reported as %v,\nwant %v", got, want)
	}
	if log.mostHeld > size {
		t.Errorf("held up to %d messages, want at most %d (a batch)", log.mostHeld, size)
	}
	if !strings.Contains(log.b.String(), "imported 3 records: 3 new") {
		t.Errorf("summary:\n%s", log.b.String()[max(0, log.b.Len()-300):])
	}
}
