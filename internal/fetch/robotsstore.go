package fetch

import (
	"context"
	"errors"
	"time"
)

// RobotsStore shares robots.txt verdicts between processes that crawl
// the same hosts (internal/queue keeps one in a NATS key-value bucket for
// a fleet of workers). When Options.Robots is set, a Client that has no
// verdict of its own for an origin asks the store before downloading
// robots.txt, and stores what it downloaded, so that a fleet asks each
// host for its robots.txt once per RobotsTTL and every process obeys the
// same rules. The Client's own in-memory cache stays in front of the
// store, each entry trusted until the Expires of the record it came from.
//
// A store that fails is not the host's fault: a Client that cannot read
// it downloads robots.txt itself, and one that cannot write it keeps the
// verdict to itself.
type RobotsStore interface {
	// LoadRobots returns the record stored for origin (scheme://host:port,
	// the host lower-case and the port always given), or nil when there is
	// none. A record past its Expires is the Client's to ignore.
	LoadRobots(ctx context.Context, origin string) (*RobotsRecord, error)
	// StoreRobots stores rec for origin, replacing any record.
	StoreRobots(ctx context.Context, origin string, rec *RobotsRecord) error
}

// RobotsOutcome is what fetching an origin's robots.txt gave.
type RobotsOutcome string

// The outcomes of a robots.txt fetch, as RFC 9309 sorts them.
const (
	// RobotsFound: a 2xx; Body holds the file.
	RobotsFound RobotsOutcome = "found"
	// RobotsMissing: a 4xx, or too many redirects: everything is allowed.
	RobotsMissing RobotsOutcome = "missing"
	// RobotsUnavailable: a 5xx, a 429 or an unreachable server: nothing is
	// allowed until Expires (Options.RobotsErrorTTL after the fetch).
	RobotsUnavailable RobotsOutcome = "unavailable"
)

// RobotsRecord is one origin's robots.txt verdict as a RobotsStore keeps
// it: the raw file (parsed again by each reader) rather than the parsed
// rules, so that any version of the parser reads it.
type RobotsRecord struct {
	Outcome RobotsOutcome `json:"outcome"`
	// Body is the file as received (Content-Encoding undone, at most
	// 512 KiB), for RobotsFound.
	Body []byte `json:"body,omitempty"`
	// Status is the 5xx or 429 that made robots.txt unavailable; Cause,
	// when there was no answer, says why (a refused connection, a
	// timeout).
	Status int    `json:"status,omitempty"`
	Cause  string `json:"cause,omitempty"`
	// Timeout says that Cause was a timeout (it then matches ErrTimeout).
	Timeout bool `json:"timeout,omitempty"`
	// Fetched is when robots.txt was downloaded; Expires is when the
	// verdict runs out (RobotsTTL or RobotsErrorTTL later).
	Fetched time.Time `json:"fetched"`
	Expires time.Time `json:"expires"`
}

// robotsShare is the state of one robots.txt download through a
// RobotsStore. Its first hop on the origin checks the store once more
// after taking the host (a process that held the host meanwhile may have
// stored the file: found is then set and nothing is sent), and a final
// answer on the origin keeps the host until the verdict is stored, so
// that under a HostGate the next process to take the host finds it.
type robotsShare struct {
	store  RobotsStore
	origin string // the store's key and the robots cache's
	// recheck: ask the store again once the host is taken (not when it
	// failed to answer the first time).
	recheck bool

	found   *RobotsRecord // stored by another process while this one waited for the host
	release func()        // the origin hop's host release, kept until the verdict is stored
}

// errRobotsShared ends a robots.txt download whose verdict another
// process stored while this one waited for the host.
var errRobotsShared = errors.New("robots.txt stored by another process")

// storeTimeout bounds each call to a RobotsStore: one that does not
// answer (a network that stalls) costs a download, not a stuck request.
const storeTimeout = 5 * time.Second

// load returns the stored record for the origin when it is still good.
func (s *robotsShare) load(ctx context.Context) (*RobotsRecord, error) {
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, err := s.store.LoadRobots(lctx, s.origin)
	if err != nil || rec == nil || !time.Now().Before(rec.Expires) {
		return nil, err
	}
	switch rec.Outcome {
	case RobotsFound, RobotsMissing, RobotsUnavailable:
		return rec, nil
	}
	return nil, nil // written by a newer version: download it
}

// hold keeps the origin hop's release until done.
func (s *robotsShare) hold(release func()) {
	if s.release != nil {
		s.release()
	}
	s.release = release
}

// done lets the host go, if held.
func (s *robotsShare) done() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}
