package queue

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-archive/herald/internal/fetch"
)

// Robots is the fleet's robots.txt cache, a fetch.RobotsStore on the
// herald_robots bucket: one entry per origin, the file as downloaded (or
// that it was missing or unavailable) and when that runs out. Entries
// are written by whichever process downloaded the file, overwriting the
// last; the bucket drops entries fetch.DefaultRobotsTTL after their
// write, and a reader ignores one past its own expiry (an unavailable
// robots.txt expires after fetch.DefaultRobotsErrorTTL).
type Robots struct {
	kv jetstream.KeyValue
	c  *Client
}

var _ fetch.RobotsStore = (*Robots)(nil)

// Robots returns the fleet's robots.txt cache.
func (c *Client) Robots() *Robots { return &Robots{kv: c.robots, c: c} }

// away fails at once while the connection is down, rather than wait for
// a request that the client would hold until the server is back: the
// reader then downloads robots.txt itself (through the host gate, which
// decides whether the fleet can go on).
func (r *Robots) away(origin string) error {
	if !r.c.nc.IsConnected() {
		return fmt.Errorf("robots.txt of %s: %w: connection %s", origin, ErrServerAway, r.c.nc.Status())
	}
	return nil
}

// robotsBucketKey maps an origin to a key the bucket accepts.
func robotsBucketKey(origin string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(origin))
}

// LoadRobots implements fetch.RobotsStore. An entry that cannot be read
// is taken for no entry: the reader downloads the file and replaces it.
func (r *Robots) LoadRobots(ctx context.Context, origin string) (*fetch.RobotsRecord, error) {
	if err := r.away(origin); err != nil {
		return nil, err
	}
	e, err := r.kv.Get(ctx, robotsBucketKey(origin))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	var rec fetch.RobotsRecord
	if json.Unmarshal(e.Value(), &rec) != nil {
		return nil, nil
	}
	return &rec, nil
}

// StoreRobots implements fetch.RobotsStore.
func (r *Robots) StoreRobots(ctx context.Context, origin string, rec *fetch.RobotsRecord) error {
	if err := r.away(origin); err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	if _, err := r.kv.Put(ctx, robotsBucketKey(origin), data); err != nil {
		return fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	return nil
}
