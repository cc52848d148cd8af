package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// descriptorOf reports whether path names one of this process's open
// descriptors: /dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N (or /proc/PID/fd/N with this process's id), or a
// symbolic link to one of them. Opened by name, such a path gives a new
// open file: a file the shell redirected with >> would be written from
// its start, and a file renamed over it would replace the file the
// descriptor writes to.
func descriptorOf(path string) (fd int, ok bool) {
	dirs := []string{"/dev/fd/", "/proc/self/fd/", "/proc/" + strconv.Itoa(os.Getpid()) + "/fd/"}
	for range 16 { // links followed, as the system would (it gives up at 40)
		p := filepath.ToSlash(filepath.Clean(path))
		switch p {
		case "/dev/stdin":
			return 0, true
		case "/dev/stdout":
			return 1, true
		case "/dev/stderr":
			return 2, true
		}
		for _, dir := range dirs {
			if n, found := strings.CutPrefix(p, dir); found {
				if fd, err := strconv.Atoi(n); err == nil && fd >= 0 {
					return fd, true
				}
			}
		}
		link, err := os.Readlink(path)
		if err != nil {
			return 0, false
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return 0, false
}
