// Package wire is the protobuf form of actornet's protocol, the messages that cross between
// nodes: each command and event of package messages, and the socket service's own. It is
// generated from wire.proto; package remote converts to and from it, and nothing else
// should need it.
package wire

//go:generate protoc --go_out=. --go_opt=paths=source_relative wire.proto
