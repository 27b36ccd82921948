package model

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// Options are a model's table settings, returned by its TableOptions method
// (see [Optioner]). The zero value is a table as DynamoDB makes it by
// default: on-demand billing, every index projecting all attributes, no
// stream, no point-in-time recovery, no deletion protection, the STANDARD
// class, no tags, and encryption with a key AWS owns.
//
// Package schema creates, plans, applies and exports each setting (see its
// documentation for what can change in place). Models that share a table
// must agree on its settings: a setting one of them leaves at its zero
// value takes the other's.
type Options struct {
	// Billing is the table's billing mode; the zero value is on-demand.
	// Global indexes take the table's capacity.
	Billing Billing
	// Projections maps an index name to its projection; an index that is
	// not listed projects all attributes.
	Projections map[string]Projection
	// Stream turns on the table's DynamoDB stream with this view type: what
	// each record holds. "" means no stream.
	Stream StreamView
	// PointInTimeRecovery turns on continuous backups, so the table can be
	// restored to any second of the last 35 days.
	PointInTimeRecovery bool
	// DeletionProtection makes DynamoDB refuse to delete the table until it
	// is turned off again.
	DeletionProtection bool
	// TableClass is the table's storage class; "" means [TableClassStandard].
	TableClass TableClass
	// Tags are the table's tags, key to value: at most 50, keys of 1 to 128
	// characters and values of at most 256, keys not starting with "aws:".
	Tags map[string]string
	// Encryption is the key that encrypts the table at rest; the zero value
	// is a key AWS owns.
	Encryption Encryption
	// AutoScaling, with provisioned [Billing], lets Application Auto
	// Scaling move the table's (and its global indexes') capacity between
	// bounds. It is another AWS service, with a client of its own: package
	// schema creates, plans and applies it through
	// schema.Options.AutoScalingClient, and exports it for CloudFormation
	// and Terraform.
	AutoScaling *AutoScaling
	// WarmThroughput, when set, is the throughput the table must be able
	// to serve at once, pre-warmed by DynamoDB. It can only grow.
	WarmThroughput *WarmThroughput
}

// StreamView is what each record of a table's stream holds: one of
// [StreamKeysOnly], [StreamNewImage], [StreamOldImage],
// [StreamNewAndOldImages]. DynamoDB calls it StreamViewType.
type StreamView string

// The stream view types of DynamoDB.
const (
	StreamKeysOnly        StreamView = "KEYS_ONLY"          // the key attributes of the item changed
	StreamNewImage        StreamView = "NEW_IMAGE"          // the item as it is after the change
	StreamOldImage        StreamView = "OLD_IMAGE"          // the item as it was before the change
	StreamNewAndOldImages StreamView = "NEW_AND_OLD_IMAGES" // both images
)

// TableClass is a table's storage class.
type TableClass string

// The table classes of DynamoDB.
const (
	TableClassStandard   TableClass = "STANDARD"
	TableClassStandardIA TableClass = "STANDARD_INFREQUENT_ACCESS" // cheaper storage, dearer requests
)

// Encryption is the key that encrypts a table at rest. The zero value is a
// key that AWS owns (free, not in your account); use [AWSManagedKey] or
// [CustomerKey] for a KMS key.
type Encryption struct {
	// KMS selects a KMS key: the AWS managed key alias/aws/dynamodb when
	// KMSKeyARN is "", else the customer managed key KMSKeyARN.
	KMS bool
	// KMSKeyARN is the ARN of a customer managed KMS key; it needs KMS.
	// Give the key's ARN (not an alias or a key ID): DynamoDB describes
	// the table with the key's ARN, and schema compares the two.
	KMSKeyARN string
}

// AWSManagedKey returns the encryption with the AWS managed KMS key of
// DynamoDB, alias/aws/dynamodb.
func AWSManagedKey() Encryption { return Encryption{KMS: true} }

// CustomerKey returns the encryption with the customer managed KMS key
// whose ARN is arn.
func CustomerKey(arn string) Encryption { return Encryption{KMS: true, KMSKeyARN: arn} }

// AutoScaling is how Application Auto Scaling moves a provisioned table's
// capacity: Read and Write each scale one capacity of the table and of
// every global index. A zero [Scaling] leaves that capacity fixed.
type AutoScaling struct {
	Read, Write Scaling
}

// Scaling is the range of one capacity and the utilisation it aims at.
type Scaling struct {
	// Min and Max bound the capacity units; 1 <= Min <= Max <= 2^31-1
	// (Application Auto Scaling's range). The table's provisioned capacity
	// must lie between them.
	Min, Max int64
	// TargetUtilization is the percentage of the capacity to keep in use,
	// from 20 to 90; zero means 70.
	TargetUtilization float64
}

// Target returns the utilisation s aims at: TargetUtilization, or 70 when
// it is zero.
func (s Scaling) Target() float64 {
	if s.TargetUtilization == 0 {
		return 70
	}
	return s.TargetUtilization
}

// WarmThroughput is the read and write throughput, in units per second,
// that a table can serve instantly.
type WarmThroughput struct {
	ReadUnitsPerSecond, WriteUnitsPerSecond int64
}

var typeOptioner = reflect.TypeFor[Optioner]()

func init() { mapping.PublicOptions = publicOptions }

// publicOptions reads the Options of t for internal/mapping.
func publicOptions(t reflect.Type) (mapping.Options, bool, error) {
	if !t.Implements(typeOptioner) && !reflect.PointerTo(t).Implements(typeOptioner) {
		return mapping.Options{}, false, nil
	}
	o := reflect.New(t).Interface().(Optioner).TableOptions()
	if err := o.check(); err != nil {
		return mapping.Options{}, true, err
	}
	o.Tags = maps.Clone(o.Tags)
	if o.AutoScaling != nil {
		as := *o.AutoScaling
		o.AutoScaling = &as
	}
	if o.WarmThroughput != nil {
		wt := *o.WarmThroughput
		o.WarmThroughput = &wt
	}
	return mapping.Options{Billing: o.Billing, Projections: o.Projections, Settings: o}, true, nil
}

// check reports the settings DynamoDB would refuse; billing and
// projections are checked by internal/mapping.
func (o Options) check() error {
	var errs []string
	switch o.Stream {
	case "", StreamKeysOnly, StreamNewImage, StreamOldImage, StreamNewAndOldImages:
	default:
		errs = append(errs, fmt.Sprintf("unknown stream view type %q", o.Stream))
	}
	switch o.TableClass {
	case "", TableClassStandard, TableClassStandardIA:
	default:
		errs = append(errs, fmt.Sprintf("unknown table class %q", o.TableClass))
	}
	if len(o.Tags) > 50 {
		errs = append(errs, fmt.Sprintf("%d tags, DynamoDB allows at most 50", len(o.Tags)))
	}
	for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
		v := o.Tags[k]
		switch {
		case k == "" || len([]rune(k)) > 128:
			errs = append(errs, fmt.Sprintf("tag key %q must have 1 to 128 characters", k))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, fmt.Sprintf("tag key %q: the aws: prefix is reserved", k))
		case len([]rune(v)) > 256:
			errs = append(errs, fmt.Sprintf("tag %s: a value has at most 256 characters", k))
		}
	}
	if o.Encryption.KMSKeyARN != "" && !o.Encryption.KMS {
		errs = append(errs, "Encryption.KMSKeyARN needs Encryption.KMS (use model.CustomerKey)")
	}
	if as := o.AutoScaling; as != nil {
		if o.Billing.OnDemand() {
			errs = append(errs, "AutoScaling needs provisioned Billing: set Billing to model.Provisioned(read, write) within the scaling's bounds, or remove AutoScaling")
		}
		for _, s := range []struct {
			name  string
			sc    Scaling
			units int64
		}{{"Read", as.Read, o.Billing.ReadUnits}, {"Write", as.Write, o.Billing.WriteUnits}} {
			if s.sc == (Scaling{}) {
				continue
			}
			if s.sc.Min < 1 || s.sc.Max < s.sc.Min || s.sc.Max > math.MaxInt32 {
				errs = append(errs, fmt.Sprintf("AutoScaling.%s needs 1 <= Min <= Max <= %d, have %d and %d", s.name, math.MaxInt32, s.sc.Min, s.sc.Max))
			} else if !o.Billing.OnDemand() && (s.units < s.sc.Min || s.units > s.sc.Max) {
				errs = append(errs, fmt.Sprintf("AutoScaling.%s: the provisioned %d units are not within %d to %d", s.name, s.units, s.sc.Min, s.sc.Max))
			}
			if t := s.sc.Target(); t < 20 || t > 90 {
				errs = append(errs, fmt.Sprintf("AutoScaling.%s: TargetUtilization %g is not within 20 to 90", s.name, t))
			}
		}
		if as.Read == (Scaling{}) && as.Write == (Scaling{}) {
			errs = append(errs, "AutoScaling scales neither Read nor Write")
		}
	}
	if wt := o.WarmThroughput; wt != nil && (wt.ReadUnitsPerSecond < 1 || wt.WriteUnitsPerSecond < 1) {
		errs = append(errs, "WarmThroughput needs read and write units per second above zero")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Options returns the table settings the model declares with its
// TableOptions method (see [Optioner]), or the zero Options for a model
// without one. The maps and pointers are copies: changing them changes
// nothing. A stream reader, for one, checks Stream to know which images
// the records hold.
func (m *Model) Options() Options {
	if m == nil || m.m == nil {
		return Options{}
	}
	o, ok := m.m.Settings.(Options)
	if !ok {
		return Options{Billing: m.m.Billing}
	}
	o.Tags = maps.Clone(o.Tags)
	o.Projections = maps.Clone(o.Projections)
	if o.AutoScaling != nil {
		as := *o.AutoScaling
		o.AutoScaling = &as
	}
	if o.WarmThroughput != nil {
		wt := *o.WarmThroughput
		o.WarmThroughput = &wt
	}
	return o
}
