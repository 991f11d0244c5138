// Command mesosgo-storm is the mesos-go side of the storm benchmark (bench/): a
// framework written with mesos-go's api/v1 library (protobuf codec) that
// launches N command tasks, packing as many into each offer as fit, and
// declines every other offer with refuse_seconds=0, so that offers keep
// coming. It acknowledges each status update, prints one JSON line
// {"event":"all_running","tasks":N,"seconds":S} when all N are RUNNING (S
// counted from its start, before SUBSCRIBE), and keeps declining until
// SIGTERM, when it tears the framework down and exits 0.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gogo/protobuf/proto"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"

	"kmesos/peers/go/peer"
)

type storm struct {
	tasks     int
	cpus, mem float64
	cmd, name string
	start     time.Time
	mu        sync.Mutex
	launched  int
	running   map[string]bool
	announced bool
}

// pack fills one offer with as many tasks as fit and are still to launch.
func (s *storm) pack(o *mesos.Offer) []mesos.TaskInfo {
	cpus, mem := peer.Scalar(o.Resources, "cpus"), peer.Scalar(o.Resources, "mem")
	var ts []mesos.TaskInfo
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.launched < s.tasks && cpus >= s.cpus-1e-9 && mem >= s.mem-1e-9 {
		id := fmt.Sprintf("%s-%d", s.name, s.launched)
		ts = append(ts, mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: o.AgentID,
			Resources: peer.Resources(s.cpus, s.mem),
			Command:   &mesos.CommandInfo{Value: proto.String(s.cmd)}})
		s.launched++
		cpus -= s.cpus
		mem -= s.mem
	}
	return ts
}

func (s *storm) offers(c *peer.Client, offers []mesos.Offer) {
	var decline []mesos.OfferID
	for i := range offers {
		ts := s.pack(&offers[i])
		if len(ts) == 0 {
			decline = append(decline, offers[i].ID)
			continue
		}
		if err := c.Call(calls.Accept(calls.OfferOperations{calls.OpLaunch(ts...)}.WithOffers(offers[i].ID))); err != nil {
			fmt.Fprintln(os.Stderr, "mesosgo-storm: ACCEPT:", err)
		}
	}
	if len(decline) > 0 {
		if err := c.Decline(0, decline...); err != nil {
			fmt.Fprintln(os.Stderr, "mesosgo-storm: DECLINE:", err)
		}
	}
}

func (s *storm) update(c *peer.Client, st *mesos.TaskStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.GetState() == mesos.TASK_RUNNING {
		s.running[st.TaskID.Value] = true
	} else {
		delete(s.running, st.TaskID.Value)
	}
	if !s.announced && len(s.running) >= s.tasks {
		s.announced = true
		fmt.Printf("{\"event\":\"all_running\",\"tasks\":%d,\"seconds\":%.3f}\n", s.tasks, time.Since(s.start).Seconds())
	}
}

func main() {
	s := &storm{start: time.Now(), running: map[string]bool{}}
	master := flag.String("master", "", "HOST:PORT of the master")
	flag.IntVar(&s.tasks, "tasks", 0, "number of command tasks to launch")
	flag.Float64Var(&s.cpus, "cpus", 0.01, "cpus per task")
	flag.Float64Var(&s.mem, "mem", 1, "mem (MB) per task")
	flag.StringVar(&s.cmd, "cmd", "sleep 3600", "the tasks' shell command")
	flag.StringVar(&s.name, "name", "mesosgo-storm", "framework name and task id prefix")
	flag.Parse()
	if *master == "" || s.tasks <= 0 || s.cpus <= 0 || s.mem <= 0 {
		fmt.Fprintln(os.Stderr, "usage: mesosgo-storm --master HOST:PORT --tasks N [--cpus 0.01] [--mem 1] [--cmd 'sleep 3600'] [--name NAME]")
		os.Exit(2)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	fo := 60.0
	info := &mesos.FrameworkInfo{User: "root", Name: s.name, FailoverTimeout: &fo,
		Hostname: proto.String("localhost")}
	c, err := peer.Subscribe(*master, info, peer.Options{Offers: s.offers, Update: s.update, NoRecord: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mesosgo-storm:", err)
		os.Exit(1)
	}
	for tick := time.NewTicker(time.Second); ; <-tick.C {
		select {
		case <-sig:
		default:
			if c.Ended() {
				fmt.Fprintln(os.Stderr, "mesosgo-storm: the subscription ended:", c.Err)
				os.Exit(1)
			}
			continue
		}
		break
	}
	if err := c.Teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "mesosgo-storm: TEARDOWN:", err)
		os.Exit(1)
	}
}
