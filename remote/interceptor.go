package remote

import (
	"log/slog"

	parem "github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// dropUnknown is a gRPC stream interceptor that drops, with a log line, every message of a
// batch that this process could not decode: a protobuf type it does not link, or a
// serializer it does not know. The pinned protoactor-go panics on those (fixed upstream
// after it, PR #1229), which would end the whole node.
func dropUnknown(logger *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handler(srv, &filterStream{ServerStream: ss, logger: logger})
	}
}

type filterStream struct {
	grpc.ServerStream
	logger *slog.Logger
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
