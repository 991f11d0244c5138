// Command mesosgo-lifecycle is a Mesos framework written with mesos-go's api/v1
// library (protobuf, checkpoint=true, PARTITION_AWARE) that walks one
// whole life cycle against a master and checks each step on the events
// that really arrived: subscribe, launch and run a command task, kill it,
// decline with a filter (no offer from that agent inside refuse_seconds,
// one after), suppress (no offers), revive (offers again), explicit and
// implicit reconciliation, a custom executor (mesos-go's example-executor,
// which needs the checkpointing environment of a real agent), and
// teardown (the framework leaves /master/state). It prints "ok - WHAT" or
// "not ok - WHAT" per check and "framework_id ID", and exits 1 when a check
// failed. tests/e2e/peer_mesosgo.sh runs it and checks the processes left.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gogo/protobuf/proto"
	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"

	"kmesos/peers/go/peer"
)

const (
	cpus = 0.1
	mem  = 32.0
)

var failed int

func check(what string, cond bool) bool {
	if cond {
		fmt.Println("ok - " + what)
	} else {
		fmt.Println("not ok - " + what)
		failed++
	}
	return cond
}

func declineAll(c *peer.Client, offers []mesos.Offer) {
	ids := make([]mesos.OfferID, 0, len(offers))
	for _, o := range offers {
		ids = append(ids, o.ID)
	}
	c.Decline(0, ids...)
}

// takeOffer keeps the first offer with room for one task and declines the
// others (refuse_seconds 0), waiting up to 10 s.
func takeOffer(c *peer.Client) *mesos.Offer {
	var mu sync.Mutex
	var got *mesos.Offer
	c.SetOffers(func(c *peer.Client, offers []mesos.Offer) {
		var rest []mesos.OfferID
		mu.Lock()
		for i := range offers {
			o := &offers[i]
			if got == nil && peer.Scalar(o.Resources, "cpus") >= cpus && peer.Scalar(o.Resources, "mem") >= mem {
				got = o
			} else {
				rest = append(rest, o.ID)
			}
		}
		mu.Unlock()
		if len(rest) > 0 {
			c.Decline(0, rest...)
		}
	})
	defer c.SetOffers(declineAll)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		o := got
		mu.Unlock()
		if o != nil {
			return o
		}
	}
	return nil
}

func launch(c *peer.Client, tid string, cmd string, ex *mesos.ExecutorInfo) *mesos.Offer {
	o := takeOffer(c)
	if !check("an offer for task "+tid, o != nil) {
		return nil
	}
	t := mesos.TaskInfo{Name: tid, TaskID: mesos.TaskID{Value: tid}, AgentID: o.AgentID,
		Resources: peer.Resources(cpus, mem)}
	if ex != nil {
		t.Executor = ex
	} else {
		t.Command = &mesos.CommandInfo{Value: proto.String(cmd)}
	}
	err := c.Call(calls.Accept(calls.OfferOperations{calls.OpLaunch(t)}.WithOffers(o.ID)))
	check("ACCEPT with a LAUNCH of "+tid+" accepted", err == nil)
	return o
}

func declineWithFilter(c *peer.Client, refuse time.Duration) {
	o := takeOffer(c)
	if !check("an offer to decline", o != nil) {
		return
	}
	agent := o.AgentID.Value
	t0 := time.Now()
	check("DECLINE with a filter accepted", c.Decline(refuse, o.ID) == nil)
	end := t0.Add(refuse - 300*time.Millisecond)
	time.Sleep(time.Until(end))
	check(fmt.Sprintf("decline with refuse_seconds=%v: no offer from agent %s inside the window", refuse.Seconds(), agent),
		len(c.Select(peer.IsOffers(agent), t0, end)) == 0)
	others := c.Select(func(e *scheduler.Event) bool {
		return peer.IsOffers("")(e) && !peer.IsOffers(agent)(e)
	}, t0, end)
	check("offers from the other agents kept coming inside the window", len(others) > 0)
	check("an offer from agent "+agent+" again once the filter expired",
		c.Wait(peer.IsOffers(agent), refuse+5*time.Second, t0) != nil)
}

func suppressRevive(c *peer.Client) {
	err := c.Call(calls.Suppress())
	check(fmt.Sprintf("SUPPRESS accepted (%v, stream %v)", err, c.Err), err == nil)
	quiet := time.Now().Add(time.Second) // an OFFERS event already on the wire
	time.Sleep(4 * time.Second)
	check("SUPPRESS: no offers for 3 s", len(c.Select(peer.IsOffers(""), quiet, time.Now())) == 0)
	t0 := time.Now()
	check("REVIVE accepted", c.Call(calls.Revive()) == nil)
	check("REVIVE: offers again", c.Wait(peer.IsOffers(""), 5*time.Second, t0) != nil)
}

func reconcile(c *peer.Client, tid, agent string) {
	rr := mesos.REASON_RECONCILIATION
	t0 := time.Now()
	c.Call(calls.Reconcile(calls.ReconcileTasks(map[string]string{tid: agent})))
	ev := c.Wait(peer.Update(tid, mesos.TASK_RUNNING, &rr), 5*time.Second, t0)
	check("explicit RECONCILE: "+tid+" TASK_RUNNING, REASON_RECONCILIATION, from the master",
		ev != nil && st(ev).GetSource() == mesos.SOURCE_MASTER)
	// real master: a task unknown on a registered agent is TASK_GONE to a
	// PARTITION_AWARE framework, with the agent id (recorded from Mesos 1.12:
	// tests/data/mesos-captures/reconcile-unknown; master.cpp case 3)
	t0 = time.Now()
	c.Call(calls.Reconcile(calls.ReconcileTasks(map[string]string{"no-such-task": agent})))
	ev = c.Wait(peer.Update("no-such-task", -1, nil), 5*time.Second, t0)
	var got string
	if ev != nil {
		s := ev.E.GetUpdate().GetStatus()
		got = fmt.Sprintf(" (got %v, %v, %q, agent %q)", s.GetState(), s.GetReason(), s.GetMessage(), s.GetAgentID().GetValue())
	}
	const unknown = "Reconciliation: Task is unknown to the agent" // master.cpp
	check("explicit RECONCILE of an unknown task on a known agent: TASK_GONE, REASON_RECONCILIATION, '"+unknown+"', with its agent id"+got,
		ev != nil && st(ev).GetState() == mesos.TASK_GONE &&
			st(ev).GetReason() == rr && st(ev).GetMessage() == unknown &&
			st(ev).GetAgentID().GetValue() == agent)
	t0 = time.Now()
	c.Call(calls.Reconcile())
	check("implicit RECONCILE: "+tid+" TASK_RUNNING, REASON_RECONCILIATION",
		c.Wait(peer.Update(tid, mesos.TASK_RUNNING, &rr), 5*time.Second, t0) != nil)
}

// killUnknown: the real master answers KILL of an unknown task as its
// reconciliation: with a registered agent's id, to a PARTITION_AWARE
// framework, TASK_GONE "Reconciliation: Task is unknown to the agent"
// (tests/data/mesos-captures/reconcile-unknown, ghost4; master.cpp kill).
func killUnknown(c *peer.Client, agent string) {
	rr := mesos.REASON_RECONCILIATION
	t0 := time.Now()
	c.Call(calls.Kill("no-such-task-2", agent))
	ev := c.Wait(peer.Update("no-such-task-2", -1, nil), 5*time.Second, t0)
	var got string
	if ev != nil {
		got = fmt.Sprintf(" (got %v, %v, %q)", st(ev).GetState(), st(ev).GetReason(), st(ev).GetMessage())
	}
	check("KILL of an unknown task on a known agent: TASK_GONE, REASON_RECONCILIATION, 'Reconciliation: Task is unknown to the agent'"+got,
		ev != nil && st(ev).GetState() == mesos.TASK_GONE && st(ev).GetReason() == rr &&
			st(ev).GetMessage() == "Reconciliation: Task is unknown to the agent")
}

func customExecutor(c *peer.Client, executor, marker string) {
	ex := &mesos.ExecutorInfo{
		Type:       mesos.ExecutorInfo_CUSTOM,
		ExecutorID: mesos.ExecutorID{Value: "gox"},
		Name:       proto.String("mesos-go example-executor"),
		Command:    &mesos.CommandInfo{Value: proto.String(executor + " --marker " + marker)},
		Resources:  peer.Resources(cpus, mem),
	}
	t0 := time.Now()
	launch(c, "x1", "", ex)
	fromExecutor := func(ev *peer.Event) bool {
		return ev != nil && st(ev).GetSource() == mesos.SOURCE_EXECUTOR
	}
	ev := c.Wait(peer.Update("x1", -1, nil), 20*time.Second, t0)
	var got string
	if ev != nil {
		s := ev.E.GetUpdate().GetStatus()
		got = fmt.Sprintf(" (first update: %v %v %q)", s.GetState(), s.GetSource(), s.GetMessage())
	}
	check("custom executor (mesos-go example-executor, checkpoint=true): x1 TASK_RUNNING from the executor"+got,
		fromExecutor(c.Wait(peer.Update("x1", mesos.TASK_RUNNING, nil), 20*time.Second, t0)))
	check("the example executor finishes x1: TASK_FINISHED from the executor",
		fromExecutor(c.Wait(peer.Update("x1", mesos.TASK_FINISHED, nil), 10*time.Second, t0)))
}

type masterState struct {
	Frameworks []struct {
		ID     string `json:"id"`
		Active bool   `json:"active"`
	} `json:"frameworks"`
	CompletedFrameworks []struct {
		ID string `json:"id"`
	} `json:"completed_frameworks"`
}

func state(master string) (*masterState, error) {
	resp, err := http.Get("http://" + master + "/master/state")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var st masterState
	return &st, json.NewDecoder(resp.Body).Decode(&st)
}

func active(master, fw string) bool {
	st, err := state(master)
	if err != nil {
		return false
	}
	for _, f := range st.Frameworks {
		if f.ID == fw && f.Active {
			return true
		}
	}
	return false
}

func gone(master, fw string) bool {
	st, err := state(master)
	if err != nil {
		return false
	}
	for _, f := range st.Frameworks {
		if f.ID == fw {
			return false
		}
	}
	for _, f := range st.CompletedFrameworks {
		if f.ID == fw {
			return true
		}
	}
	return false
}

func main() {
	master := flag.String("master", "", "HOST:PORT of the master")
	sleep := flag.String("sleep", "600", "the command tasks' sleep (a marker)")
	executor := flag.String("executor", "", "path of mesos-go's example-executor")
	marker := flag.String("marker", "gox", "an argument that names the executor's process")
	refuse := flag.Duration("refuse", 3*time.Second, "refuse_seconds of the filtered DECLINE")
	flag.Parse()
	if *master == "" || *executor == "" {
		fmt.Fprintln(os.Stderr, "usage: mesosgo-lifecycle --master HOST:PORT --executor PATH [--sleep N] [--marker M]")
		os.Exit(2)
	}
	checkpoint := true
	fo := 60.0
	info := &mesos.FrameworkInfo{User: "root", Name: "mesos-go-lifecycle", Checkpoint: &checkpoint,
		FailoverTimeout: &fo, Hostname: proto.String("localhost"),
		Capabilities: []mesos.FrameworkInfo_Capability{{Type: mesos.FrameworkInfo_Capability_PARTITION_AWARE}}}
	c, err := peer.Subscribe(*master, info, peer.Options{Offers: declineAll})
	if !check(fmt.Sprintf("SUBSCRIBE (protobuf): SUBSCRIBED with a framework id (%v)", err), err == nil) {
		os.Exit(1)
	}
	fmt.Println("framework_id", c.Framework)
	check("the framework is active in /master/state", active(*master, c.Framework))

	t0 := time.Now()
	launch(c, "t1", "sleep "+*sleep, nil)
	check("LAUNCH: t1 TASK_RUNNING", c.Wait(peer.Update("t1", mesos.TASK_RUNNING, nil), 10*time.Second, t0) != nil)
	t0 = time.Now()
	o := c.Wait(peer.Update("t1", mesos.TASK_RUNNING, nil), 0, time.Time{})
	if o != nil {
		c.Call(calls.Kill("t1", st(o).GetAgentID().GetValue()))
	}
	check("KILL: t1 TASK_KILLED", c.Wait(peer.Update("t1", mesos.TASK_KILLED, nil), 10*time.Second, t0) != nil)

	if o != nil {
		killUnknown(c, st(o).AgentID.GetValue())
	}

	declineWithFilter(c, *refuse)
	suppressRevive(c)

	t0 = time.Now()
	offer := launch(c, "t2", "sleep "+*sleep, nil)
	check("LAUNCH: t2 TASK_RUNNING", c.Wait(peer.Update("t2", mesos.TASK_RUNNING, nil), 10*time.Second, t0) != nil)
	if offer != nil {
		reconcile(c, "t2", offer.AgentID.Value)
	}
	customExecutor(c, *executor, *marker)

	check("TEARDOWN accepted", c.Teardown() == nil)
	deadline := time.Now().Add(10 * time.Second)
	for !gone(*master, c.Framework) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	check("TEARDOWN: the framework left /master/state (now among completed_frameworks)", gone(*master, c.Framework))
	check("no ERROR event", len(c.Select(func(e *scheduler.Event) bool { return e.GetType() == scheduler.Event_ERROR },
		time.Time{}, time.Now())) == 0)
	if failed > 0 {
		os.Exit(1)
	}
}

// st is the status of an UPDATE event.
func st(ev *peer.Event) *mesos.TaskStatus {
	s := ev.E.GetUpdate().GetStatus()
	return &s
}
