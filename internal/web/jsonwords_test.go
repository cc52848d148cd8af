package web

import (
	"reflect"
	"testing"
)

// JSONWant says what an optional (pointer) field wants as it says what
// the value it points to wants; it used to say "a JSON ptr".
func TestJSONWantPointer(t *testing.T) {
	var n *int64
	var names *[]string
	for _, tc := range []struct {
		v    any
		want string
	}{
		{n, "a whole number"},
		{names, "an array of strings"},
		{map[string]int{}, "an object"},
		{uint8(0), "a whole number, 0 or more"},
	} {
		if got := JSONWant(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("JSONWant(%T) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
