package main

import (
	"fmt"
	"strings"
)

// choice reads the value of a flag that takes one of a fixed set of
// words: it returns the one of choices that value names, in any case and
// with blanks around it ignored (--format JSONL is --format jsonl), or
// an error that names the flag and lists the choices. Every such flag
// reads its value with it.
func choice(flag, value string, choices ...string) (string, error) {
	v := strings.TrimSpace(value)
	for _, c := range choices {
		if strings.EqualFold(v, c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q (want %s)", flag, value, orList(choices))
}

// progressChoices are the values of --progress (harvest, import).
var progressChoices = []string{"auto", "always", "never"}

// orList is words said as a list: "a", "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
