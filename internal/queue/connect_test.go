package queue

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConnectAllAtOnce: a fleet's processes starting together on a fresh
// server all connect. They race to create the same streams, consumers and
// buckets; nats-server may leave a loser's request unanswered (it times
// out although the stream now exists), which must not stop the process.
func TestConnectAllAtOnce(t *testing.T) {
	for round := 0; round < 3; round++ {
		url := startServer(t)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := Connect(context.Background(), url, Options{})
				if err != nil {
					errs[i] = err
					return
				}
				c.Close()
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
	}
}

// TestConnectAsksAgain: a JetStream API request that gets no answer (here
// a proxy drops the first request to create the jobs stream, as
// nats-server may leave one unanswered when a fleet starts at once) is
// sent again, and the client connects.
func TestConnectAsksAgain(t *testing.T) {
	defer func(s, a time.Duration) { setupTime, apiTry = s, a }(setupTime, apiTry)
	setupTime, apiTry = 5*time.Second, 300*time.Millisecond
	url := startServer(t)
	purl, dropped := dropFirst(t, url, "$JS.API.STREAM.CREATE."+StreamJobs)
	c, err := Connect(context.Background(), purl, Options{})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close()
	if dropped.Load() != 1 {
		t.Fatalf("the proxy dropped %d requests, want 1 (did the client not ask to create the stream?)", dropped.Load())
	}
	if _, err := c.js.Stream(context.Background(), StreamJobs); err != nil {
		t.Errorf("stream %s after connecting: %v", StreamJobs, err)
	}
}

// dropFirst runs a proxy in front of the NATS server at url that passes
// everything through except the first message a client publishes to
// subject, and returns its URL and the count of messages it dropped.
func dropFirst(t *testing.T, url, subject string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	dropped := new(atomic.Int64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", strings.TrimPrefix(url, "nats://"))
			if err != nil {
				c.Close()
				continue
			}
			conns.Add(2)
			go func() { defer conns.Done(); io.Copy(c, s); c.Close() }()
			go func() {
				defer conns.Done()
				defer s.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					f := strings.Fields(line)
					var payload []byte
					if len(f) >= 3 && (f[0] == "PUB" || f[0] == "HPUB") {
						// PUB subject [reply] size; HPUB subject [reply] hdrsize size.
						n, err := strconv.Atoi(f[len(f)-1])
						if err != nil {
							return
						}
						payload = make([]byte, n+2)
						if _, err := io.ReadFull(r, payload); err != nil {
							return
						}
						if f[1] == subject && dropped.CompareAndSwap(0, 1) {
							continue
						}
					}
					if _, err := s.Write(append([]byte(line), payload...)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return "nats://" + ln.Addr().String(), dropped
}
