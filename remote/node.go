package remote

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	parem "github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/actornet/actornet/supervisor"
)

// The limits of the wire, chosen together so that no gRPC message can reach gRPC's 4 MiB
// receive limit, which applies to a whole batch of messages.
const (
	// MaxChunk is the most data one message carries: a Write is cut into Writes of at most
	// MaxChunk bytes, and a remote socket reads at most MaxChunk bytes at a time.
	MaxChunk = 64 << 10
	// BatchSize is the most messages protoactor's remote puts in one gRPC message:
	// BatchSize*(MaxChunk+envelope) stays near 2 MiB, half of gRPC's limit.
	BatchSize = 32
	// DefaultWindow is how many DataEvents a socket sends its remote owner before it waits
	// for the owner's credit (see [SocketOptions.Window]).
	DefaultWindow = 8
	// DefaultHighWaterMark is the bytes a remote owner has in flight (written, not yet
	// settled by the socket's node) before its proxy says FullEvent: more than a read
	// window (DefaultWindow*MaxChunk), so that an echo's writes are paced by the read
	// window rather than stopped at Full until all settled (in a 1-connection echo,
	// 256 KiB gave 55 MB/s, 1 MiB 69 MB/s).
	DefaultHighWaterMark = 1 << 20
	// DefaultKeepAlive and DefaultKeepAliveTimeout bound how long a frozen node goes
	// unnoticed (see [Config.KeepAlive]): 2*1 s + 2 s = 4 s.
	DefaultKeepAlive        = time.Second
	DefaultKeepAliveTimeout = 2 * time.Second
	// ServiceName is the name of a node's socket service actor.
	ServiceName = "actornet-sockets"
)

// queueSize is the initial size of protoactor's send queues.
const queueSize = 1024

// envelopeOverhead bounds what protoactor adds around one message in a batch (type name
// index, target and sender PIDs, our own fields).
const envelopeOverhead = 4 << 10

// A batch of the largest messages stays under gRPC's default 4 MiB receive limit.
var _ [4<<20 - BatchSize*(MaxChunk+envelopeOverhead)]struct{}

// Config is a node's network configuration. The zero value listens on 127.0.0.1 on a free
// port, with the default keepalive.
type Config struct {
	// Host and Port are where the node listens for other nodes; "" is 127.0.0.1, 0 a free
	// port.
	Host string
	Port int
	// AdvertisedHost, when set, is the address other nodes reach this node at (host:port).
	AdvertisedHost string
	// KeepAlive and KeepAliveTimeout bound how long a node that froze (SIGSTOP, a network
	// partition) goes unnoticed: a connection from it idle for KeepAlive gets a gRPC
	// keepalive ping, and one whose answer is KeepAliveTimeout late is closed, and its node
	// counts as lost: its sockets' owners here get ErrNodeLost, the sockets here it owned
	// are destroyed. That is within 2*KeepAlive+KeepAliveTimeout (4 s by default; gRPC
	// takes no KeepAlive under 1 s). 0 means DefaultKeepAlive, DefaultKeepAliveTimeout. A
	// node that died is noticed at once, by its closed connection.
	KeepAlive, KeepAliveTimeout time.Duration
	// Logger receives the node's diagnostics (unknown messages dropped, spawn failures);
	// nil is slog.Default().
	Logger *slog.Logger
	// Profiles are the settings this node's sockets can take that do not cross the wire
	// (TLS, framing), by the names owners on other nodes ask for them with
	// (SocketOptions.Profile). Only a node with a socket service uses them.
	Profiles map[string]Profile
}

// Node is an actor system reachable from other nodes: protoactor's remote, configured for
// actornet (batch size, keepalive, retries, unknown messages dropped), and, when it has a
// supervision tree, the socket service that spawns sockets and servers for owners on other
// nodes. Its methods are safe for concurrent use.
//
// Two nodes know each other once one sent the other anything; each then has a gRPC stream
// to the other, and a node that froze or died is noticed on either.
type Node struct {
	sys *actor.ActorSystem
	// stop is the node's one supervision strategy for what package remote spawns: an actor
	// of ours that fails is stopped, never restarted (its state is a connection's). One
	// instance, because protoactor makes a guardian per strategy instance.
	stop    actor.SupervisorStrategy
	rem     *parem.Remote
	service *actor.PID
	logger  *slog.Logger
	links   *links
}

// Start makes sys reachable from other nodes as cfg says. With a tree it also spawns the
// socket service (named [ServiceName]), whose sockets and servers live in that tree; with a
// nil tree the node only owns sockets elsewhere (see [Node.Client]). A sys can be started
// once; two nodes in one process are best avoided (grpc's global logger then races).
func Start(sys *actor.ActorSystem, tree *supervisor.Tree, cfg Config) (n *Node, err error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	if cfg.KeepAliveTimeout <= 0 {
		cfg.KeepAliveTimeout = DefaultKeepAliveTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := checkProfiles(cfg.Profiles); err != nil {
		return nil, err
	}
	opts := []parem.ConfigOption{
		parem.WithEndpointWriterBatchSize(BatchSize),
		// protoactor preallocates its send queues at this size (16 MiB each at its default
		// of a million); they grow when needed, and flow control keeps them short.
		parem.WithEndpointWriterQueueSize(queueSize),
		parem.WithEndpointManagerQueueSize(queueSize),
		parem.WithDialOptions(
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			// gRPC raises a client's ping interval to 10 s at least: the server side's
			// keepalive (below) is what bounds the time to notice a frozen node.
			grpc.WithKeepaliveParams(keepalive.ClientParameters{
				Time: cfg.KeepAlive, Timeout: cfg.KeepAliveTimeout, PermitWithoutStream: true}),
		),
		parem.WithServerOptions(
			grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
				MinTime: time.Second, PermitWithoutStream: true}),
			grpc.KeepaliveParams(keepalive.ServerParameters{
				Time: cfg.KeepAlive, Timeout: cfg.KeepAliveTimeout}),
			grpc.StreamInterceptor(intercept(sys, cfg.Logger)),
		),
	}
	if cfg.AdvertisedHost != "" {
		opts = append(opts, parem.WithAdvertisedHost(cfg.AdvertisedHost))
	}
	rc := parem.Configure(cfg.Host, cfg.Port, opts...)
	// One attempt to reach a node: one that cannot be reached is lost, and its owners are
	// told so, after protoactor's 2 s pause, not after five of them.
	rc.MaxRetryCount = 1
	rem := parem.NewRemote(sys, rc)
	defer func() {
		if r := recover(); r != nil { // protoactor panics when it cannot listen
			err = fmt.Errorf("remote: start node on %s:%d: %v", cfg.Host, cfg.Port, r)
		}
	}()
	rem.Start()
	n = &Node{sys: sys, rem: rem, logger: cfg.Logger, stop: supervisor.StopStrategy(cfg.Logger),
		links: newLinks(sys, cfg.Logger)}
	if tree != nil {
		if err := n.links.listen(cfg.Host, cfg.AdvertisedHost); err != nil {
			rem.Shutdown(false)
			return nil, err
		}
		svc := &service{tree: tree, logger: cfg.Logger, stop: n.stop, linkAddr: n.links.addr, profiles: cfg.Profiles}
		n.service, err = sys.Root.SpawnNamed(svc.props(), ServiceName)
		if err != nil {
			n.links.stop()
			rem.Shutdown(false)
			return nil, fmt.Errorf("remote: spawn the socket service: %w", err)
		}
	}
	return n, nil
}

// Address is the node's address, host:port, as other nodes reach it.
func (n *Node) Address() string { return n.sys.Address() }

// Service is the PID of the node's socket service; nil when it has none.
func (n *Node) Service() *actor.PID { return n.service }

// Client is the way to the socket service of the node at address.
func (n *Node) Client(address string) *Client {
	return &Client{sys: n.sys, service: actor.NewPID(address, ServiceName), logger: n.logger, stop: n.stop,
		links: n.links}
}

// Stop stops the socket service, which destroys the sockets and servers it spawned (their
// remote owners get a CloseEvent, or ErrNodeLost if the node is gone first), and shuts the
// node's remote down. It blocks until gRPC has stopped. Stop it once.
func (n *Node) Stop() {
	if n.service != nil {
		_ = n.sys.Root.StopFuture(n.service).Wait()
	}
	n.links.stop()
	n.rem.Shutdown(true)
}
