package supervisor

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// metricsTimeout bounds the snapshot one collection takes.
const metricsTimeout = 5 * time.Second

// RegisterMetrics reports the tree through OpenTelemetry instruments made by mp (the OTel API
// only; the exporter is the caller's), for code on the actor face (a netapi runtime's tree is
// Runtime.Tree; netapi.WithMeterProvider adds byte counters that survive closed sockets).
// Every instrument is asynchronous: each collection takes a [Tree.Snapshot], so nothing is
// counted while the sockets work, and a collection costs an Inspect per server and socket.
// Unregister the result to stop.
//
//	actornet.tree.sockets            {socket}     sockets, by actornet.socket.kind (client, accepted)
//	actornet.tree.sockets.paused     {socket}     paused sockets
//	actornet.tree.sockets.draining   {socket}     sockets whose DrainEvent is owed
//	actornet.tree.socket.queued.bytes By          bytes queued and not yet handed to the kernel
//	actornet.tree.servers            {server}     servers, by actornet.server.state
//	actornet.tree.connections.accepted {connection} connections accepted
//	actornet.tree.connections.refused  {connection} connections closed at once (MaxConnections)
//	actornet.tree.listener.restarts  {restart}    listeners bound again after a failure
//
// The three counters add up every server the tree had: a server that stopped counts with
// what the last collection before its stop saw.
func (t *Tree) RegisterMetrics(mp metric.MeterProvider) (metric.Registration, error) {
	meter := mp.Meter("github.com/actornet/actornet/supervisor")
	sockets, e1 := meter.Int64ObservableUpDownCounter("actornet.tree.sockets", metric.WithUnit("{socket}"),
		metric.WithDescription("Sockets in the tree, by kind (client, accepted)."))
	paused, e2 := meter.Int64ObservableUpDownCounter("actornet.tree.sockets.paused", metric.WithUnit("{socket}"),
		metric.WithDescription("Paused sockets."))
	draining, e3 := meter.Int64ObservableUpDownCounter("actornet.tree.sockets.draining", metric.WithUnit("{socket}"),
		metric.WithDescription("Sockets whose DrainEvent is owed: a Write found the queue full."))
	queued, e4 := meter.Int64ObservableUpDownCounter("actornet.tree.socket.queued.bytes", metric.WithUnit("By"),
		metric.WithDescription("Bytes queued and not yet handed to the kernel."))
	servers, e5 := meter.Int64ObservableUpDownCounter("actornet.tree.servers", metric.WithUnit("{server}"),
		metric.WithDescription("Servers in the tree, by state."))
	accepted, e6 := meter.Int64ObservableCounter("actornet.tree.connections.accepted", metric.WithUnit("{connection}"),
		metric.WithDescription("Connections accepted."))
	refused, e7 := meter.Int64ObservableCounter("actornet.tree.connections.refused", metric.WithUnit("{connection}"),
		metric.WithDescription("Connections closed at once: beyond MaxConnections, or while closing."))
	restarts, e8 := meter.Int64ObservableCounter("actornet.tree.listener.restarts", metric.WithUnit("{restart}"),
		metric.WithDescription("Listeners bound again after a failure."))
	if err := errors.Join(e1, e2, e3, e4, e5, e6, e7, e8); err != nil {
		return nil, err
	}
	kindClient := metric.WithAttributes(attribute.String("actornet.socket.kind", "client"))
	kindAccepted := metric.WithAttributes(attribute.String("actornet.socket.kind", "accepted"))
	var totals serverTotals
	return meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		ctx, cancel := context.WithTimeout(ctx, metricsTimeout)
		defer cancel()
		snap, err := t.Snapshot(ctx)
		if err != nil {
			return err
		}
		var acceptedOpen, nPaused, nDraining, nQueued int64
		byState := map[string]int64{}
		for _, srv := range snap.Servers {
			byState[srv.State]++
			for _, s := range srv.Sockets {
				acceptedOpen++
				nPaused, nDraining, nQueued = nPaused+b2i(s.Paused), nDraining+b2i(s.Draining), nQueued+int64(s.Queued)
			}
		}
		for _, s := range snap.Clients {
			nPaused, nDraining, nQueued = nPaused+b2i(s.Paused), nDraining+b2i(s.Draining), nQueued+int64(s.Queued)
		}
		o.ObserveInt64(sockets, int64(len(snap.Clients)), kindClient)
		o.ObserveInt64(sockets, acceptedOpen, kindAccepted)
		o.ObserveInt64(paused, nPaused)
		o.ObserveInt64(draining, nDraining)
		o.ObserveInt64(queued, nQueued)
		for state, n := range byState {
			o.ObserveInt64(servers, n, metric.WithAttributes(attribute.String("actornet.server.state", state)))
		}
		a, r, x := totals.add(snap)
		o.ObserveInt64(accepted, a)
		o.ObserveInt64(refused, r)
		o.ObserveInt64(restarts, x)
		return nil
	}, sockets, paused, draining, queued, servers, accepted, refused, restarts)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// serverTotals adds up the counts of every server seen, keeping those of servers gone.
type serverTotals struct {
	mu   sync.Mutex
	last map[string][3]int64 // by PID id: accepted, refused, restarts at the last collection
	gone [3]int64
}

func (st *serverTotals) add(snap Snapshot) (accepted, refused, restarts int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := make(map[string][3]int64, len(snap.Servers))
	for _, srv := range snap.Servers {
		if srv.PID != nil {
			now[srv.PID.Id] = [3]int64{srv.Accepted, srv.Refused, srv.Restarts}
		}
	}
	for id, v := range st.last {
		if _, ok := now[id]; !ok {
			for i := range v {
				st.gone[i] += v[i]
			}
		}
	}
	st.last = now
	sum := st.gone
	for _, v := range now {
		for i := range v {
			sum[i] += v[i]
		}
	}
	return sum[0], sum[1], sum[2]
}
