package queue

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// restartable is an embedded nats-server that a test can stop and start
// again on the same port with the same store, as an operator restarts
// one.
type restartable struct {
	t    testing.TB
	opts server.Options
	mu   sync.Mutex
	s    *server.Server
}

func startRestartable(t testing.TB) (*restartable, string) {
	t.Helper()
	r := &restartable{t: t, opts: server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
	}}
	r.start()
	r.opts.Port = r.s.Addr().(*net.TCPAddr).Port
	t.Cleanup(r.stop)
	return r, r.s.ClientURL()
}

func (r *restartable) start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	opts := r.opts
	s, err := server.NewServer(&opts)
	if err != nil {
		r.t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		r.t.Fatal("nats-server not ready")
	}
	r.s = s
}

func (r *restartable) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s != nil {
		r.s.Shutdown()
		r.s.WaitForShutdown()
		r.s = nil
	}
}

// TestWorkQueueAway: jobs whose handlers fail while the NATS server is
// away (a restart: the host gate's bucket cannot be read) do not use up
// their tries. They wait for the server, keeping their delivery, and run
// again once it is back: each is done once, on its first delivery, and
// none goes to the dead letters, though the outage outlasts every
// back-off their tries would have had.
func TestWorkQueueAway(t *testing.T) {
	srv, url := startRestartable(t)
	c := connect(t, url, Options{MaxDeliver: 2})
	publishN(t, c, Fetch, 3)

	down := make(chan struct{})
	var mu sync.Mutex
	started := map[string]bool{}
	attempts := map[string][]int{}
	done := map[string]int{}
	var unready []error
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	werr := make(chan error, 1)
	go func() {
		werr <- c.Work(ctx, WorkOptions{Concurrency: 4, DrainTimeout: time.Hour,
			OnUnready: func(d *Delivery, err error) {
				if err != nil {
					mu.Lock()
					unready = append(unready, err)
					mu.Unlock()
				}
			},
		}, func(ctx context.Context, d *Delivery) error {
			mu.Lock()
			attempts[d.Key] = append(attempts[d.Key], d.Attempt)
			first := !started[d.Key]
			started[d.Key] = true
			mu.Unlock()
			if first {
				<-down
				return errors.New("host gate unavailable: nats: connection closed")
			}
			mu.Lock()
			done[d.Key]++
			mu.Unlock()
			return nil
		})
	}()
	waitFor(t, "three jobs running", func() bool { mu.Lock(); defer mu.Unlock(); return len(started) == 3 })
	srv.stop()
	close(down)
	// Away for longer than a failed try's back-off (1s) and the 5s a
	// worker gives the server to answer.
	time.Sleep(7 * time.Second)
	srv.start()
	waitFor(t, "the three jobs done", func() bool { mu.Lock(); defer mu.Unlock(); return len(done) == 3 })
	waitFor(t, "an empty queue", func() bool { ok, _ := c.Idle(context.Background()); return ok })
	mu.Lock()
	deliveredOnce(t, attempts, done, "a job failing while the server is away must keep its delivery")
	for _, err := range unready {
		if !errors.Is(err, ErrServerAway) {
			t.Errorf("OnUnready(%v): want an error wrapping ErrServerAway", err)
		}
	}
	if len(unready) == 0 {
		t.Error("OnUnready never said the jobs wait for the server")
	}
	mu.Unlock()
	if _, n, err := c.Dead(context.Background(), 0); err != nil || n != 0 {
		t.Errorf("%d dead letters (%v), want none", n, err)
	}
	cancel()
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
}

// natsProxy forwards TCP connections to a nats-server. freeze holds
// everything in both directions (a network that stalls: messages sent
// get no answer), cut closes the connections and refuses new ones (the
// client sees the server go), open lets them through again.
type natsProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen bool
	shut   bool
	conns  []net.Conn
}

func newNATSProxy(t *testing.T, target string) (*natsProxy, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &natsProxy{ln: ln, target: strings.TrimPrefix(target, "nats://")}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p, "nats://" + ln.Addr().String()
}

func (p *natsProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		shut := p.shut
		p.mu.Unlock()
		if shut {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

func (p *natsProxy) pipe(from, to net.Conn) {
	defer from.Close()
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		for {
			p.mu.Lock()
			frozen, shut := p.frozen, p.shut
			p.mu.Unlock()
			if shut {
				return
			}
			if !frozen {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *natsProxy) freeze() { p.mu.Lock(); p.frozen = true; p.mu.Unlock() }

func (p *natsProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shut, p.frozen = true, false
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *natsProxy) open() { p.mu.Lock(); p.shut = false; p.mu.Unlock() }

// TestPublishOutlastsOutage: jobs published just as the connection goes
// (sent, but their acks never come) are published again once the server
// answers, each stored once, instead of failing the publisher (a
// coordinator would stop).
func TestPublishOutlastsOutage(t *testing.T) {
	url := startServer(t)
	proxy, purl := newNATSProxy(t, url)
	c := connect(t, purl, Options{})
	direct := connect(t, url, Options{})
	publishN(t, c, Fetch, 2) // stored before the outage

	proxy.freeze()
	jobs := make([]Job, 10)
	for i := range jobs {
		jobs[i] = Job{Kind: Fetch, Key: fmt.Sprintf("late-%d", i), Data: []byte("x")}
	}
	var waits []error
	var wmu sync.Mutex
	done := make(chan error, 1)
	go func() {
		done <- c.PublishWait(context.Background(), func(err error) {
			wmu.Lock()
			waits = append(waits, err)
			wmu.Unlock()
		}, jobs...)
	}()
	time.Sleep(200 * time.Millisecond) // the jobs are sent into the stalled network
	proxy.cut()
	time.Sleep(3 * time.Second) // away for more than a reconnect attempt
	proxy.open()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("publish across the outage: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("publish did not return after the server came back")
	}
	info, err := direct.jobs.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := info.State.Msgs; n != 12 {
		t.Errorf("%d jobs in the stream, want the 2 stored before and the 10 published across the outage", n)
	}
	wmu.Lock()
	defer wmu.Unlock()
	if len(waits) != 2 || waits[0] == nil || !errors.Is(waits[0], ErrServerAway) || waits[1] != nil {
		t.Errorf("onWait calls %v, want one error wrapping ErrServerAway then nil", waits)
	}
}

// TestWorkCutOffCountsATry pins down what docs/distributed.md ("The
// queue away") says of a worker cut off from a server that stays up:
// after AckWait its job goes to another worker as a further delivery,
// which counts as a try (Attempt 2), and the worker cut off, back, still
// finishes the job it held: both ran it, and it leaves the queue once.
func TestWorkCutOffCountsATry(t *testing.T) {
	url := startServer(t)
	proxy, purl := newNATSProxy(t, url)
	opts := Options{AckWait: time.Second}
	w := connect(t, purl, opts)
	publishN(t, w, Fetch, 1)

	started, release := make(chan int, 1), make(chan struct{})
	wdone := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		wdone <- w.Work(ctx, WorkOptions{DrainTimeout: time.Hour}, func(ctx context.Context, d *Delivery) error {
			started <- d.Attempt
			<-release
			return nil
		})
	}()
	if a := <-started; a != 1 {
		t.Fatalf("first delivery is attempt %d", a)
	}
	proxy.cut()
	d := nextDelivery(t, url, 10*time.Second)
	if d == nil {
		t.Fatal("the job of the worker cut off was not given to another after AckWait")
	}
	if d.Attempt != 2 {
		t.Errorf("the job went to another worker as attempt %d, want 2: the server counts the delivery lost to the cut", d.Attempt)
	}
	proxy.open()
	close(release) // the worker cut off finishes its job too, once back
	cancel()
	if err := <-wdone; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "an empty queue", func() bool { ok, _ := w.Idle(context.Background()); return ok })
	if _, n, err := w.Dead(context.Background(), 0); err != nil || n != 0 {
		t.Errorf("%d dead letters (%v), want none", n, err)
	}
}

// deliveredOnce checks that every job (by key) ran only on its first
// delivery (attempts, the delivery number of each run) and was done once;
// why says what a second delivery would break.
func deliveredOnce(t *testing.T, attempts map[string][]int, done map[string]int, why string) {
	t.Helper()
	for k, as := range attempts {
		for _, a := range as {
			if a != 1 {
				t.Errorf("%s delivered again (attempts %v): %s", k, as, why)
				break
			}
		}
		if done[k] != 1 {
			t.Errorf("%s done %d times", k, done[k])
		}
	}
}
