package archive

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store/sqlite"
)

// permanentHops keeps each hop once (two versions of an article reached
// through the same short link, or the link spelt with its scheme in
// capitals), and a store error it meets names the hop it looked up.
func TestPermanentHops(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	hops := []string{"https://news.example/s/x7Kq2", "https://news.example/s/x7Kq2", "HTTPS://news.example/s/x7Kq2", "https://news.example/s/f3Rt9"}
	got, err := permanentHops(ctx, db, hops, nil)
	if want := []string{"https://news.example/s/x7Kq2", "https://news.example/s/f3Rt9"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("permanentHops = %q, %v; want %q", got, err, want)
	}
	db.Close()
	if _, err := permanentHops(ctx, db, hops[3:], nil); err == nil || !strings.Contains(err.Error(), "https://news.example/s/f3Rt9") {
		t.Errorf("on a closed store: %v, want an error naming the hop", err)
	}
}
