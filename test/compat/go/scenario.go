// A scenario for go-zookeeper (github.com/samuel/go-zookeeper/zk, Debian's
// golang-github-samuel-go-zookeeper-dev), run against one server by test/compat/go-zookeeper.test.ts.
// It prints "name<TAB>value" facts and judges nothing itself. Connections go through a dialer that
// can cut the TCP connection and hold back the redial, so a reconnect (with its auth and setWatches
// sent under ordinary xids, as this client numbers them) and a session expiry happen on cue.
package main

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/samuel/go-zookeeper/zk"
)

// How long any one reply or event may take; far above a loopback round trip on a loaded machine.
const waitBound = 20 * time.Second

func fact(name string, value interface{}) {
	fmt.Printf("%s\t%v\n", name, value)
}

var errNames = map[error]string{
	zk.ErrNoNode:                  "NoNode",
	zk.ErrNoAuth:                  "NoAuth",
	zk.ErrBadVersion:              "BadVersion",
	zk.ErrNoChildrenForEphemerals: "NoChildrenForEphemerals",
	zk.ErrNodeExists:              "NodeExists",
	zk.ErrNotEmpty:                "NotEmpty",
	zk.ErrSessionExpired:          "SessionExpired",
	zk.ErrInvalidACL:              "InvalidACL",
	zk.ErrAuthFailed:              "AuthFailed",
	zk.ErrConnectionClosed:        "ConnectionClosed",
	zk.ErrUnknown:                 "Unknown",
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	if name, ok := errNames[err]; ok {
		return name
	}
	return "error: " + err.Error()
}

func statText(s *zk.Stat) string {
	if s == nil {
		return "nil"
	}
	return fmt.Sprintf("czxid=%d mzxid=%d pzxid=%d ctime=%d mtime=%d version=%d cversion=%d aversion=%d ephemeralOwner=%d dataLength=%d numChildren=%d",
		s.Czxid, s.Mzxid, s.Pzxid, s.Ctime, s.Mtime, s.Version, s.Cversion, s.Aversion, s.EphemeralOwner, s.DataLength, s.NumChildren)
}

func aclText(acl []zk.ACL) string {
	parts := make([]string, 0, len(acl))
	for _, a := range acl {
		parts = append(parts, fmt.Sprintf("%s:%s:%d", a.Scheme, a.ID, a.Perms))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// within runs f and reports "timeout" if it has not returned in waitBound: a client call whose
// reply never comes (a reply under an xid the client is not waiting for) blocks forever.
func within(f func() error) string {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return errText(err)
	case <-time.After(waitBound):
		return "timeout"
	}
}

func eventText(ch <-chan zk.Event) string {
	select {
	case ev := <-ch:
		if ev.Err != nil {
			return fmt.Sprintf("%s@%s(%s)", ev.Type, ev.Path, errText(ev.Err))
		}
		return fmt.Sprintf("%s@%s", ev.Type, ev.Path)
	case <-time.After(waitBound):
		return "timeout"
	}
}

// awaitState reads session events until one is `want` and reports what it saw.
func awaitState(events <-chan zk.Event, want zk.State) string {
	deadline := time.After(waitBound)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return "closed"
			}
			if ev.Type == zk.EventSession && ev.State == want {
				return ev.State.String()
			}
		case <-deadline:
			return "timeout"
		}
	}
}

// gate is a dialer whose connections can be cut and whose next dial can be held back.
type gate struct {
	mu      sync.Mutex
	current net.Conn
	open    chan struct{}
}

func newGate() *gate {
	g := &gate{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) dial(network, address string, timeout time.Duration) (net.Conn, error) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	<-open
	c, err := net.DialTimeout(network, address, timeout)
	if err == nil {
		g.mu.Lock()
		g.current = c
		g.mu.Unlock()
	}
	return c, err
}

// cut closes the connection and holds every redial until release.
func (g *gate) cut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
	if g.current != nil {
		g.current.Close()
	}
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

// stderrLogger keeps the client's log lines out of the facts on stdout.
type stderrLogger struct{}

func (stderrLogger) Printf(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
}

func connect(server string, timeout time.Duration, g *gate) (*zk.Conn, <-chan zk.Event) {
	var conn *zk.Conn
	var events <-chan zk.Event
	var err error
	if g != nil {
		conn, events, err = zk.Connect([]string{server}, timeout, zk.WithLogger(stderrLogger{}), zk.WithDialer(g.dial))
	} else {
		conn, events, err = zk.Connect([]string{server}, timeout, zk.WithLogger(stderrLogger{}))
	}
	if err != nil {
		fact("connect.error", err)
		os.Exit(1)
	}
	return conn, events
}

func digestID(credential string) string {
	sum := sha1.Sum([]byte(credential))
	user := credential
	if i := strings.Index(credential, ":"); i >= 0 {
		user = credential[:i]
	}
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

func main() {
	server := os.Args[1]
	open := zk.WorldACL(zk.PermAll)

	mainGate := newGate()
	a, aEvents := connect(server, 30*time.Second, mainGate)
	defer a.Close()
	fact("connect.state", awaitState(aEvents, zk.StateHasSession))
	fact("connect.sessionId", a.SessionID())
	b, bEvents := connect(server, 30*time.Second, nil)
	defer b.Close()
	awaitState(bEvents, zk.StateHasSession)

	// CRUD.
	path, err := a.Create("/go", []byte("hello"), 0, open)
	fact("create.path", path)
	fact("create.err", errText(err))
	data, stat, err := a.Get("/go")
	fact("get.data", string(data))
	fact("get.stat", statText(stat))
	_, err = a.Create("/go", nil, 0, open)
	fact("create.existing", errText(err))
	_, err = a.Create("/go/missing/child", nil, 0, open)
	fact("create.noParent", errText(err))
	stat, err = a.Set("/go", []byte("v1"), 0)
	fact("set.v0", statText(stat))
	_, err = a.Set("/go", []byte("v2"), 0)
	fact("set.stale", errText(err))
	seq1, _ := a.Create("/go/seq-", nil, zk.FlagSequence, open)
	seq2, _ := a.Create("/go/seq-", nil, zk.FlagSequence, open)
	fact("create.sequential", seq1+","+seq2)
	eph, _ := a.Create("/go/eph", nil, zk.FlagEphemeral, open)
	_, stat, _ = a.Exists(eph)
	fact("ephemeral.ownedByMain", stat != nil && stat.EphemeralOwner == a.SessionID())
	_, err = a.Create("/go/eph/child", nil, 0, open)
	fact("create.childOfEphemeral", errText(err))
	children, stat, err := a.Children("/go")
	sort.Strings(children)
	fact("children", strings.Join(children, ","))
	fact("children.numChildren", stat.NumChildren)
	exists, _, err := a.Exists("/go/none")
	fact("exists.absent", fmt.Sprintf("%v/%s", exists, errText(err)))
	fact("delete.notEmpty", errText(a.Delete("/go", -1)))
	fact("delete.badVersion", errText(a.Delete(seq1, 5)))
	fact("delete.ok", errText(a.Delete(seq1, 0)))
	fact("delete.missing", errText(a.Delete(seq1, -1)))
	synced, err := a.Sync("/go")
	fact("sync", synced+"/"+errText(err))

	// Multi: all or nothing.
	results, err := a.Multi(
		&zk.CreateRequest{Path: "/go/m1", Data: []byte("x"), Acl: open},
		&zk.SetDataRequest{Path: "/go", Data: []byte("multi"), Version: -1},
		&zk.CheckVersionRequest{Path: "/go/m1", Version: 0},
	)
	fact("multi.ok.err", errText(err))
	kinds := []string{}
	for _, r := range results {
		kinds = append(kinds, fmt.Sprintf("%s/%s", r.String, errText(r.Error)))
	}
	fact("multi.ok.results", strings.Join(kinds, ","))
	results, err = a.Multi(
		&zk.CreateRequest{Path: "/go/m2", Data: nil, Acl: open},
		&zk.DeleteRequest{Path: "/go/m1", Version: 7},
	)
	fact("multi.fail.err", errText(err))
	kinds = []string{}
	for _, r := range results {
		kinds = append(kinds, errText(r.Error))
	}
	fact("multi.fail.results", strings.Join(kinds, ","))
	exists, _, _ = a.Exists("/go/m2")
	fact("multi.fail.m2Exists", exists)

	// One-time watches, fired by the other session.
	_, _, dataW, _ := a.GetW("/go")
	_, _, existW, _ := a.ExistsW("/go/w")
	b.Set("/go", []byte("changed"), -1)
	fact("watch.data", eventText(dataW))
	// Set after the data change: this client hands a NodeDataChanged to the path's child watchers too.
	_, _, childW, _ := a.ChildrenW("/go")
	b.Create("/go/w", nil, 0, open)
	fact("watch.exists", eventText(existW))
	fact("watch.children", eventText(childW))
	_, _, deleteW, _ := a.ExistsW("/go/w")
	b.Delete("/go/w", -1)
	fact("watch.deleted", eventText(deleteW))

	// Digest auth, with and without a colon, and the ACLs that use it.
	fact("auth.digest", within(func() error { return a.AddAuth("digest", []byte("user:password")) }))
	fact("auth.noColon", within(func() error { return a.AddAuth("digest", []byte("blah")) }))
	_, err = a.Create("/go/digest", []byte("secret"), 0, zk.DigestACL(zk.PermAll, "user", "password"))
	fact("acl.digest.create", errText(err))
	_, err = a.Create("/go/blah", []byte("blah's"), 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: digestID("blah")}})
	fact("acl.noColon.create", errText(err))
	_, err = a.Create("/go/auth", nil, 0, zk.AuthACL(zk.PermAll))
	fact("acl.auth.create", errText(err))
	acl, stat, err := a.GetACL("/go/auth")
	fact("acl.auth.expanded", aclText(acl))
	want := aclText([]zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: digestID("user:password")}, {Perms: zk.PermAll, Scheme: "digest", ID: digestID("blah")}})
	fact("acl.auth.expected", want)
	for _, p := range []string{"/go/digest", "/go/blah"} {
		_, _, err = a.Get(p)
		fact("acl.owner.get"+p, errText(err))
		_, _, err = b.Get(p)
		fact("acl.other.get"+p, errText(err))
	}
	_, err = a.Create("/go/readonly", nil, 0, zk.WorldACL(zk.PermRead))
	_, err = b.Set("/go/readonly", []byte("x"), -1)
	fact("acl.readOnly.set", errText(err))
	stat, err = a.SetACL("/go/digest", zk.WorldACL(zk.PermRead|zk.PermAdmin), 0)
	fact("acl.setACL", errText(err))
	if stat != nil {
		fact("acl.setACL.aversion", stat.Aversion)
	}
	acl, _, err = b.GetACL("/go/digest")
	fact("acl.getACL", aclText(acl)+"/"+errText(err))
	c, cEvents := connect(server, 30*time.Second, nil)
	awaitState(cEvents, zk.StateHasSession)
	fact("auth.noColon.other", within(func() error { return c.AddAuth("digest", []byte("blah")) }))
	_, _, err = c.Get("/go/blah")
	fact("acl.noColon.otherLogin.get", errText(err))
	fact("auth.unknownScheme", within(func() error { return c.AddAuth("nosuch", []byte("x")) }))
	c.Close()

	// A reconnect: the main connection is cut and held back while the other session changes one
	// watched node; once let through, the client sends its credentials and setWatches again.
	_, _, restoredData, _ := a.GetW("/go")
	_, _, restoredExist, _ := a.ExistsW("/go/later")
	_, _, restoredChild, _ := a.ChildrenW("/go/m1")
	b.Create("/go/away", []byte("0"), 0, open)
	_, _, awayData, _ := a.GetW("/go/away")
	sessionBefore := a.SessionID()
	mainGate.cut()
	fact("reconnect.disconnected", awaitState(aEvents, zk.StateDisconnected))
	b.Set("/go/away", []byte("changed while away"), -1)
	mainGate.release()
	fact("reconnect.state", awaitState(aEvents, zk.StateHasSession))
	fact("reconnect.sameSession", a.SessionID() == sessionBefore)
	fact("reconnect.changedWhileAway", eventText(awayData))
	b.Set("/go", []byte("after"), -1)
	fact("reconnect.data", eventText(restoredData))
	b.Create("/go/later", nil, 0, open)
	fact("reconnect.exists", eventText(restoredExist))
	b.Create("/go/m1/kid", nil, 0, open)
	fact("reconnect.children", eventText(restoredChild))
	_, _, err = a.Get("/go/blah")
	fact("reconnect.authResent", errText(err))

	// Session expiry: a short session's connection is cut and held back until the server has
	// expired it (its ephemeral is gone); the client then learns of the expiry and starts afresh.
	expiryGate := newGate()
	e, eEvents := connect(server, 4*time.Second, expiryGate)
	defer e.Close()
	awaitState(eEvents, zk.StateHasSession)
	expiringSession := e.SessionID()
	_, err = e.Create("/go/expiring", nil, zk.FlagEphemeral, open)
	fact("expiry.ephemeral", errText(err))
	_, _, gone, _ := b.ExistsW("/go/expiring")
	expiryGate.cut()
	fact("expiry.ephemeralDeleted", eventText(gone))
	expiryGate.release()
	fact("expiry.state", awaitState(eEvents, zk.StateExpired))
	fact("expiry.newSession", awaitState(eEvents, zk.StateHasSession))
	fact("expiry.sessionChanged", e.SessionID() != expiringSession && e.SessionID() != 0)
	_, err = e.Create("/go/after-expiry", nil, zk.FlagEphemeral, open)
	fact("expiry.usableAfter", errText(err))

	fact("done", true)
}
