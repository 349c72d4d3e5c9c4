package remote

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	parem "github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// intercept is a gRPC stream interceptor on a node's incoming streams, from the nodes that
// send to it. It drops, with a log line, every message of a batch that this process could
// not decode: a protobuf type it does not link, or a serializer it does not know (the
// pinned protoactor-go panics on those, which would end the whole node; fixed upstream
// after it, PR #1229). And when a stream from a node fails (the keepalive found the node
// frozen, or its connection broke), it tells protoactor that the node is gone, as the
// failure of its own stream to that node would: the watchers of that node's actors get
// Terminated. Protoactor alone only notices on its outgoing stream, whose keepalive gRPC
// bounds at 10 s or more.
func intercept(sys *actor.ActorSystem, logger *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		f := &filterStream{ServerStream: ss, logger: logger}
		err := handler(srv, f)
		if err != nil && f.peer != "" {
			sys.EventStream.Publish(&parem.EndpointTerminatedEvent{Address: f.peer})
		}
		return err
	}
}

type filterStream struct {
	grpc.ServerStream
	logger *slog.Logger
	peer   string // the sending node's address, from its ConnectRequest
}

// The serializers protoactor registers: protobuf (0) and JSON (1, which takes any type).
const (
	protoSerializer = 0
	jsonSerializer  = 1
)

func (f *filterStream) RecvMsg(m any) error {
	if err := f.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	rm, ok := m.(*parem.RemoteMessage)
	if !ok {
		return nil
	}
	if c := rm.GetConnectRequest().GetServerConnection(); c != nil {
		f.peer = c.Address
	}
	batch := rm.GetMessageBatch()
	if batch == nil {
		return nil
	}
	kept := batch.Envelopes[:0]
	for _, e := range batch.Envelopes {
		if reason := undecodable(batch, e); reason != "" {
			f.logger.Warn("remote: dropped a message this node cannot decode",
				slog.String("reason", reason), slog.Int("target", int(e.Target)))
			continue
		}
		kept = append(kept, e)
	}
	batch.Envelopes = kept
	return nil
}

// undecodable says why protoactor could not decode e, "" when it can.
func undecodable(b *parem.MessageBatch, e *parem.MessageEnvelope) string {
	if e.TypeId < 0 || int(e.TypeId) >= len(b.TypeNames) {
		return "type index out of range"
	}
	if e.Target < 0 || int(e.Target) >= len(b.Targets) {
		return "target index out of range"
	}
	if e.Sender < 0 || int(e.Sender) > len(b.Senders) {
		return "sender index out of range"
	}
	switch e.SerializerId {
	case jsonSerializer:
		return ""
	case protoSerializer:
		name := b.TypeNames[e.TypeId]
		if _, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name)); err != nil {
			return "unknown type " + name
		}
		return ""
	}
	return "unknown serializer"
}
