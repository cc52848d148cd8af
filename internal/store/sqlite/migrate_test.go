package sqlite_test

import (
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

func TestDumpRestore(t *testing.T) {
	storetest.RunDump(t, func(t *testing.T) store.Store { return mustOpen(t) })
}
