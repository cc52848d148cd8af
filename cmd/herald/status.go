package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/queue"
	"github.com/herald-archive/herald/internal/store"
)

// maxStatusHostLines bounds the hosts printed by herald status.
const maxStatusHostLines = 20

func newStatusCmd(e *env) *cobra.Command {
	var nf natsFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status --nats URL [--db DSN]",
		Short: "Show the fleet: queue depths, workers alive, hosts held and paced, throughput",
		Long: `Status reads the JetStream queue of a herald worker fleet: jobs pending,
in flight (delivered, not yet acknowledged) and redelivered per kind, dead
letters, the workers whose heartbeat is alive with their counts, the hosts
with a request in flight or a next allowed time ahead (a Retry-After holds
a host), and the fleet's throughput. With --db (or $HERALD_DB) it adds the
archive's frontier counts and article total.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			qc, err := nf.connect(ctx, "herald status", true)
			if err != nil {
				return err
			}
			defer qc.Close()
			st, err := qc.Status(ctx)
			if err != nil {
				return err
			}
			rep := statusReport{Status: st}
			if explicitDB(cmd) {
				db, err := openArchive(ctx, e, false)
				if err != nil {
					return err
				}
				defer db.Close()
				if rep.Frontier, err = db.FrontierCounts(ctx); err != nil {
					return err
				}
				stats, err := db.Stats(ctx)
				if err != nil {
					return err
				}
				rep.Articles = &stats.Articles
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return printStatus(e.stdout, &rep)
		},
	}
	addNATSFlags(cmd, &nf, true)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

type statusReport struct {
	*queue.Status
	Frontier map[store.FrontierState]int `json:"frontier,omitempty"`
	Articles *int                        `json:"articles,omitempty"`
}

func printStatus(w io.Writer, r *statusReport) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tPENDING\tIN FLIGHT\tREDELIVERED\tWAITING PULLS")
	for _, q := range r.Queues {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", q.Kind, q.Pending, q.InFlight, q.Redelivered, q.Waiting)
	}
	fmt.Fprintf(tw, "dead\t%d\t\t\t(herald queue dead)\n", r.Dead)
	tw.Flush()
	fmt.Fprintf(bw, "\nworkers alive: %d, throughput %.1f jobs/s\n", len(r.Workers), r.Throughput)
	if len(r.Workers) > 0 {
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "WORKER\tUP\tIN FLIGHT\tDONE\tFAILED\tDEAD\tREDELIVERED\tJOBS/S\tSEEN")
		for _, wk := range r.Workers {
			state := ""
			switch {
			case wk.Silent:
				state = " (silent)"
			case wk.Draining:
				state = " (draining)"
			}
			fmt.Fprintf(tw, "%s%s\t%s\t%d/%d\t%d\t%d\t%d\t%d\t%.1f\t%s ago\n", stripControl(wk.ID), state,
				r.At.Sub(wk.Started).Round(time.Second), wk.InFlight, wk.Concurrency, wk.Acked, wk.Failed, wk.Dead,
				wk.Redelivered, wk.Rate, r.At.Sub(wk.Seen).Round(100*time.Millisecond))
		}
		tw.Flush()
	}
	fmt.Fprintf(bw, "\nhosts: %d known, %d held or paced now", r.HostsKnown, len(r.Hosts))
	if r.HostsRead < r.HostsKnown {
		fmt.Fprintf(bw, " (of the %d read)", r.HostsRead)
	}
	fmt.Fprintln(bw)
	if len(r.Hosts) > 0 {
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "HOST\tHELD BY\tNEXT ALLOWED")
		for i, h := range r.Hosts {
			if i == maxStatusHostLines {
				fmt.Fprintf(tw, "… %d more (--json lists all)\t\t\n", len(r.Hosts)-i)
				break
			}
			next := "now"
			if d := h.Next.Sub(r.At); d > 0 {
				next = "in " + d.Round(10*time.Millisecond).String()
				switch {
				case !h.PausedUntil.IsZero():
					next += " (paused: failing)"
				case h.Held:
					next += " (Retry-After)"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", stripControl(h.Host), stripControl(firstNonEmpty(h.Holder, "-")), next)
		}
		tw.Flush()
	}
	if r.Frontier != nil {
		fmt.Fprintf(bw, "\nfrontier: %d queued, %d in flight, %d done, %d failed; archive: %d articles\n",
			r.Frontier[store.Queued], r.Frontier[store.InFlight], r.Frontier[store.Done], r.Frontier[store.Failed], *r.Articles)
	}
	return bw.Flush()
}

func newQueueCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "Inspect and repair the fleet's job queue (dead letters)",
		Long: `A job that fails on every try (--max-deliver) or whose workers keep dying
moves to the dead-letter stream. herald queue dead lists them with their
last error; herald queue requeue puts them back once the cause is fixed.`,
	}
	cmd.AddCommand(newQueueDeadCmd(e), newQueueRequeueCmd(e))
	return cmd
}

func newQueueDeadCmd(e *env) *cobra.Command {
	var nf natsFlags
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "dead --nats URL",
		Short: "List dead-lettered jobs, oldest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if limit < 0 {
				return fmt.Errorf("--limit %d: want 0 (all) or more", limit)
			}
			qc, err := nf.connect(ctx, "herald queue", true)
			if err != nil {
				return err
			}
			defer qc.Close()
			jobs, total, err := qc.Dead(ctx, limit)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				for _, j := range jobs {
					if err := enc.Encode(j); err != nil {
						return err
					}
				}
				return nil
			}
			bw := bufio.NewWriter(e.stdout)
			tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SEQ\tKIND\tJOB\tTRIES\tFAILED\tERROR")
			for _, j := range jobs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", j.Seq, j.Kind, stripControl(j.Key), j.Deliveries,
					j.FailedAt.Format(time.RFC3339), oneLine(stripControl(j.Error)))
			}
			tw.Flush()
			if total > len(jobs) {
				fmt.Fprintf(bw, "… %d of %d shown (--limit)\n", len(jobs), total)
			}
			return bw.Flush()
		},
	}
	addNATSFlags(cmd, &nf, true)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per job")
	cmd.Flags().IntVar(&limit, "limit", 100, "most jobs listed (0: all)")
	return cmd
}

func newQueueRequeueCmd(e *env) *cobra.Command {
	var nf natsFlags
	var all bool
	cmd := &cobra.Command{
		Use:   "requeue --nats URL (--all | SEQ...)",
		Short: "Put dead-lettered jobs back in the queue",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return fmt.Errorf("give the SEQ numbers from herald queue dead, or --all")
			}
			var seqs []uint64
			for _, a := range args {
				n, err := strconv.ParseUint(a, 10, 64)
				if err != nil || n == 0 {
					return fmt.Errorf("%q is not a dead letter SEQ (a positive number from herald queue dead)", a)
				}
				seqs = append(seqs, n)
			}
			ctx := cmd.Context()
			qc, err := nf.connect(ctx, "herald queue", true)
			if err != nil {
				return err
			}
			defer qc.Close()
			n, err := qc.Requeue(ctx, seqs)
			fmt.Fprintf(e.stdout, "requeued %d jobs\n", n)
			return err
		},
	}
	addNATSFlags(cmd, &nf, true)
	cmd.Flags().BoolVar(&all, "all", false, "requeue every dead letter")
	return cmd
}

// natsDispatcher publishes a coordinator's claimed URLs as fetch jobs.
// While the NATS server is away it waits for it (see
// queue.Client.PublishWait), saying so in logger's log.
type natsDispatcher struct {
	qc     *queue.Client
	logger *slog.Logger
}

var _ harvest.IdleDispatcher = natsDispatcher{}

// Idle implements harvest.IdleDispatcher: no job of any kind is in the
// stream (a job stays there, work-queue retention, until its worker acks
// it after committing).
func (d natsDispatcher) Idle(ctx context.Context) (bool, error) { return d.qc.Idle(ctx) }

func (d natsDispatcher) Dispatch(ctx context.Context, jobs []harvest.Job) error {
	qj := make([]queue.Job, len(jobs))
	claim := time.Now().UnixNano()
	for i, j := range jobs {
		data, err := json.Marshal(j)
		if err != nil {
			return err
		}
		// One job per claim: a URL claimed again later is a new job. The
		// attempt count alone does not tell claims apart: a URL that
		// failed and is named again is revived with none, and its next
		// claim, were its id the same as the last one's within the
		// server's duplicate window, would be dropped, leaving it in
		// flight for a coordinator to wait for forever.
		qj[i] = queue.Job{Kind: queue.Fetch, Key: j.URL, Data: data, ID: fmt.Sprintf("fetch:%s:%d:%d", j.URL, j.Attempts, claim)}
	}
	return d.qc.PublishWait(ctx, func(err error) {
		if err != nil {
			d.logger.Warn("NATS server unavailable: jobs wait to be dispatched", "jobs", len(qj), "err", err)
		} else {
			d.logger.Warn("NATS server available again: dispatching")
		}
	}, qj...)
}
