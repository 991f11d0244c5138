// The third-party Mesos clients of the peer tests and the storm benchmark
// (tests/peers/setup.sh builds them), pinned: mesos-go v0.0.11 (the Go
// module proxy serves tagged versions only; no go.mod of its own, so its
// dependencies are resolved here), and prometheus client_golang v0.9.4,
// the API its example-scheduler was written against. Do not run `go mod
// tidy`: the examples are built as programs, not imported, and tidy would
// drop their dependencies.
module kmesos/peers

go 1.19

require (
	github.com/gogo/protobuf v1.1.1
	github.com/mesos/mesos-go v0.0.11
	github.com/prometheus/client_golang v0.9.4
)

require (
	github.com/pborman/uuid v1.2.1 // indirect
	github.com/pquerna/ffjson v0.0.0-20190930134022-aa0246cd15f7 // indirect
)
