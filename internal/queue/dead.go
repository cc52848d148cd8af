package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DeadJob is a job in the dead-letter stream.
type DeadJob struct {
	// Seq identifies it for Requeue.
	Seq  uint64 `json:"seq"`
	Kind Kind   `json:"kind"`
	Key  string `json:"key"`
	// Error is the last failure.
	Error      string    `json:"error"`
	Deliveries int       `json:"deliveries"`
	FailedAt   time.Time `json:"failed_at"`
	Data       []byte    `json:"-"`
}

// Dead returns up to limit dead-lettered jobs, oldest first (limit <= 0:
// all), and how many there are.
func (c *Client) Dead(ctx context.Context, limit int) ([]DeadJob, int, error) {
	info, err := c.dead.Info(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("dead letters: %w", err)
	}
	total := int(info.State.Msgs)
	var out []DeadJob
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && total > 0; seq++ {
		if limit > 0 && len(out) >= limit {
			break
		}
		m, err := c.dead.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("dead letter %d: %w", seq, err)
		}
		out = append(out, deadJob(m))
	}
	return out, total, nil
}

func deadJob(m *jetstream.RawStreamMsg) DeadJob {
	n, _ := strconv.Atoi(m.Header.Get(hdrDeliveries))
	at, _ := time.Parse(time.RFC3339Nano, m.Header.Get(hdrFailedAt))
	return DeadJob{
		Seq: m.Sequence, Kind: Kind(m.Header.Get(hdrKind)), Key: m.Header.Get(hdrKey),
		Error: m.Header.Get(hdrError), Deliveries: n, FailedAt: at, Data: m.Data,
	}
}

// Requeue puts dead-lettered jobs back in the work queue as new jobs and
// removes them from the dead-letter stream; seqs nil means all of them.
// It returns how many were requeued. An unknown seq is an error.
func (c *Client) Requeue(ctx context.Context, seqs []uint64) (int, error) {
	if seqs == nil {
		jobs, _, err := c.Dead(ctx, 0)
		if err != nil {
			return 0, err
		}
		for _, j := range jobs {
			seqs = append(seqs, j.Seq)
		}
	}
	n := 0
	for _, seq := range seqs {
		m, err := c.dead.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return n, fmt.Errorf("requeue: no dead letter %d", seq)
		}
		if err != nil {
			return n, fmt.Errorf("requeue %d: %w", seq, err)
		}
		d := deadJob(m)
		if d.Kind != Fetch && d.Kind != Extract {
			return n, fmt.Errorf("requeue %d: unknown job kind %q", seq, d.Kind)
		}
		pm := nats.NewMsg(d.Kind.subject())
		pm.Data = d.Data
		pm.Header.Set(hdrKey, d.Key)
		// A new id: the original may still be in the dedup window.
		id := fmt.Sprintf("%s:%s:requeue:%d:%d", d.Kind, d.Key, seq, time.Now().UnixNano())
		if _, err := c.js.PublishMsg(ctx, pm, jetstream.WithMsgID(id)); err != nil {
			return n, fmt.Errorf("requeue %d: %w", seq, err)
		}
		if err := c.dead.DeleteMsg(ctx, seq); err != nil {
			return n, fmt.Errorf("requeue %d: remove dead letter: %w", seq, err)
		}
		n++
	}
	return n, nil
}
