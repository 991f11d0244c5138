// Package peer is what the mesos-go programs of tests/peers share: a
// scheduler client built only from mesos-go's api/v1 library (httpsched
// over httpcli, protobuf codec, as a Mesos user of that library would
// write it), which subscribes, acknowledges every status update that
// carries a uuid, and records each event with its arrival time so that a
// program can wait for, and assert on, what really arrived. OFFERS events
// are also handed to a replaceable handler on the decoding goroutine.
package peer

import (
	"context"
	"fmt"
	"sync"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"
)

// Event is one event from the subscription and when it arrived.
type Event struct {
	At time.Time
	E  *scheduler.Event
}

// OffersFunc answers an OFFERS event; it runs on the decoding goroutine.
type OffersFunc func(c *Client, offers []mesos.Offer)

// Options are a Client's handlers, set before it subscribes.
type Options struct {
	Offers OffersFunc
	// Update sees each status update (on the decoding goroutine) before
	// it is acknowledged.
	Update func(c *Client, s *mesos.TaskStatus)
	// NoRecord keeps no events (a storm's events would only grow).
	NoRecord bool
}

// Client is one subscribed framework.
type Client struct {
	caller    calls.Caller
	Framework string // set by SUBSCRIBED, before Subscribe returns
	mu        sync.Mutex
	cond      *sync.Cond
	events    []Event
	onOffers  OffersFunc
	opts      Options
	done      bool
	Err       error
}

// Subscribe connects to master (HOST:PORT) with info and waits up to 10 s
// for SUBSCRIBED.
func Subscribe(master string, info *mesos.FrameworkInfo, opts Options) (*Client, error) {
	cli := httpcli.New(
		httpcli.Endpoint("http://"+master+"/api/v1/scheduler"),
		httpcli.Codec(codecs.ByMediaType[codecs.MediaTypeProtobuf]),
		httpcli.Do(httpcli.With(httpcli.Timeout(20*time.Second))),
	)
	c := &Client{caller: httpsched.NewCaller(cli), onOffers: opts.Offers, opts: opts}
	c.cond = sync.NewCond(&c.mu)
	resp, err := c.caller.Call(context.Background(), calls.Subscribe(info))
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	go c.decode(resp)
	ev := c.Wait(func(e *scheduler.Event) bool { return e.GetType() == scheduler.Event_SUBSCRIBED }, 10*time.Second, time.Time{})
	if ev == nil {
		return nil, fmt.Errorf("no SUBSCRIBED within 10 s (%v)", c.Err)
	}
	return c, nil
}

func (c *Client) decode(resp mesos.Response) {
	defer resp.Close()
	for {
		var e scheduler.Event
		if err := resp.Decode(&e); err != nil {
			c.mu.Lock()
			c.done, c.Err = true, err
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		if e.GetType() == scheduler.Event_SUBSCRIBED {
			// before any later event's answer needs it
			c.Framework = e.GetSubscribed().GetFrameworkID().GetValue()
		}
		if !c.opts.NoRecord || e.GetType() == scheduler.Event_SUBSCRIBED {
			c.events = append(c.events, Event{At: time.Now(), E: &e})
		}
		h := c.onOffers
		c.cond.Broadcast()
		c.mu.Unlock()
		switch e.GetType() {
		case scheduler.Event_OFFERS:
			if h != nil {
				h(c, e.GetOffers().GetOffers())
			}
		case scheduler.Event_UPDATE:
			s := e.GetUpdate().GetStatus()
			if c.opts.Update != nil {
				c.opts.Update(c, &s)
			}
			if len(s.GetUUID()) > 0 {
				c.Call(calls.Acknowledge(s.GetAgentID().GetValue(), s.TaskID.Value, s.GetUUID()))
			}
		}
	}
}

// Ended tells whether the subscription stream has ended (c.Err says why).
func (c *Client) Ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// SetOffers replaces the OFFERS handler.
func (c *Client) SetOffers(h OffersFunc) {
	c.mu.Lock()
	c.onOffers = h
	c.mu.Unlock()
}

// Call sends call with the framework id; an error is the call's error.
func (c *Client) Call(call *scheduler.Call) error {
	c.mu.Lock()
	call = call.With(calls.Framework(c.Framework))
	c.mu.Unlock()
	return calls.CallNoData(context.Background(), c.caller, call)
}

// Decline declines offers with refuse_seconds.
func (c *Client) Decline(refuse time.Duration, ids ...mesos.OfferID) error {
	return c.Call(calls.Decline(ids...).With(calls.RefuseSeconds(refuse)))
}

// Teardown ends the framework.
func (c *Client) Teardown() error {
	return c.Call(&scheduler.Call{Type: scheduler.Call_TEARDOWN})
}

// Wait returns the first event after since for which pred holds, waiting
// up to timeout; nil when none came or the subscription ended.
func (c *Client) Wait(pred func(*scheduler.Event) bool, timeout time.Duration, since time.Time) *Event {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for i := range c.events {
			if !c.events[i].At.Before(since) && pred(c.events[i].E) {
				ev := c.events[i]
				return &ev
			}
		}
		if c.done || !time.Now().Before(deadline) {
			return nil
		}
		c.cond.Wait()
	}
}

// Select returns the events in [since, until] for which pred holds.
func (c *Client) Select(pred func(*scheduler.Event) bool, since, until time.Time) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Event
	for _, ev := range c.events {
		if !ev.At.Before(since) && !ev.At.After(until) && pred(ev.E) {
			out = append(out, ev)
		}
	}
	return out
}

// Update matches an UPDATE of task (and state, reason when set).
func Update(task string, state mesos.TaskState, reason *mesos.TaskStatus_Reason) func(*scheduler.Event) bool {
	return func(e *scheduler.Event) bool {
		if e.GetType() != scheduler.Event_UPDATE {
			return false
		}
		s := e.GetUpdate().GetStatus()
		return s.TaskID.Value == task && (state < 0 || s.GetState() == state) &&
			(reason == nil || s.GetReason() == *reason)
	}
}

// IsOffers matches an OFFERS event (from agent when not empty).
func IsOffers(agent string) func(*scheduler.Event) bool {
	return func(e *scheduler.Event) bool {
		if e.GetType() != scheduler.Event_OFFERS {
			return false
		}
		for _, o := range e.GetOffers().GetOffers() {
			if agent == "" || o.AgentID.Value == agent {
				return true
			}
		}
		return false
	}
}

// Scalar sums the scalar resource name in resources.
func Scalar(rs []mesos.Resource, name string) float64 {
	sum := 0.0
	for _, r := range rs {
		if r.GetName() == name {
			sum += r.GetScalar().GetValue()
		}
	}
	return sum
}

// Resources is cpus and mem as scalar resources.
func Resources(cpus, mem float64) []mesos.Resource {
	return []mesos.Resource{
		{Name: "cpus", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: cpus}},
		{Name: "mem", Type: mesos.SCALAR.Enum(), Scalar: &mesos.Value_Scalar{Value: mem}},
	}
}
