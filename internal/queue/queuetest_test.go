package queue

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startServer runs a real nats-server with JetStream in the test process,
// on a random loopback port with its store in a temporary folder.
func startServer(t testing.TB) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoLog:     true,
		NoSigs:    true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func connect(t testing.TB, url string, opts Options) *Client {
	t.Helper()
	c, err := Connect(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// nextDelivery starts a worker of its own on the server at url and
// returns the first job it is given, or nil when none comes within wait.
func nextDelivery(t *testing.T, url string, wait time.Duration) *Delivery {
	t.Helper()
	w := connect(t, url, Options{})
	got := make(chan *Delivery, 1)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go w.Work(ctx, WorkOptions{}, func(ctx context.Context, d *Delivery) error {
		select {
		case got <- d:
		default:
		}
		return nil
	})
	select {
	case d := <-got:
		return d
	case <-time.After(wait):
		return nil
	}
}
