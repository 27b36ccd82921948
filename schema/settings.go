package schema

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Settings are the settings of a [Definition] besides its keys, indexes,
// billing and TTL, as [model.Options] declares them. The zero value is
// DynamoDB's default for each.
type Settings struct {
	// Stream is the view type of the table's stream, "" without one.
	Stream model.StreamView
	// PointInTimeRecovery is whether continuous backups are on.
	PointInTimeRecovery bool
	// DeletionProtection is whether DynamoDB refuses to delete the table.
	DeletionProtection bool
	// TableClass is the storage class; "" means STANDARD.
	TableClass model.TableClass
	// Tags are the table's tags. In a table the models describe, nil
	// means the models do not manage tags: [Plan] leaves the live tags
	// alone. A non-nil map is the whole set, and Plan removes other tags.
	Tags map[string]string
	// Encryption is the key that encrypts the table at rest. A described
	// table that uses the AWS managed key has KMS set and the key's ARN.
	Encryption model.Encryption
	// AutoScaling is the Application Auto Scaling the models declare; nil
	// in a described table, whose live scaling is [Table.Scaling].
	AutoScaling *model.AutoScaling
	// WarmThroughput is the throughput the table can serve at once; nil in
	// a table the models describe means they do not ask for any.
	WarmThroughput *model.WarmThroughput
}

// The changes of a table's settings that [Diff] finds, besides those of
// keys, indexes, billing and TTL.
const (
	EnableStream             ChangeKind = "enable stream"                  // UpdateTable
	DisableStream            ChangeKind = "disable stream"                 // UpdateTable; destructive
	EnablePITR               ChangeKind = "enable point-in-time recovery"  // UpdateContinuousBackups
	DisablePITR              ChangeKind = "disable point-in-time recovery" // UpdateContinuousBackups; destructive
	UpdateDeletionProtection ChangeKind = "update deletion protection"     // UpdateTable; destructive when it turns protection off
	UpdateTableClass         ChangeKind = "update table class"             // UpdateTable
	UpdateEncryption         ChangeKind = "update encryption"              // UpdateTable
	UpdateWarmThroughput     ChangeKind = "update warm throughput"         // UpdateTable
	TagTable                 ChangeKind = "tag table"                      // TagResource
	UntagTable               ChangeKind = "untag table"                    // UntagResource
)

// settingsOf returns the settings a model declares in its model.Options.
func settingsOf(m *mapping.Model) Settings {
	o, ok := m.Settings.(model.Options)
	if !ok {
		return Settings{}
	}
	return Settings{
		Stream:              o.Stream,
		PointInTimeRecovery: o.PointInTimeRecovery,
		DeletionProtection:  o.DeletionProtection,
		TableClass:          o.TableClass,
		Tags:                maps.Clone(o.Tags),
		Encryption:          o.Encryption,
		AutoScaling:         o.AutoScaling,
		WarmThroughput:      o.WarmThroughput,
	}
}

// merge adds o, another model's settings of the same table, to s: a
// setting one leaves at its zero value takes the other's, and two that
// are set must agree. Tags are united; a key must have one value.
func (s *Settings) merge(o Settings) error {
	var errs []string
	pick := func(name string, a *string, b string) {
		switch {
		case *a == "":
			*a = b
		case b != "" && b != *a:
			errs = append(errs, fmt.Sprintf("different %s (%s and %s)", name, *a, b))
		}
	}
	stream, class := string(s.Stream), string(s.TableClass)
	pick("stream view types", &stream, string(o.Stream))
	pick("table classes", &class, string(o.TableClass))
	s.Stream, s.TableClass = model.StreamView(stream), model.TableClass(class)
	s.PointInTimeRecovery = s.PointInTimeRecovery || o.PointInTimeRecovery
	s.DeletionProtection = s.DeletionProtection || o.DeletionProtection
	switch {
	case s.Encryption == (model.Encryption{}):
		s.Encryption = o.Encryption
	case o.Encryption != (model.Encryption{}) && o.Encryption != s.Encryption:
		errs = append(errs, fmt.Sprintf("different encryption (%s and %s)", encryptionString(s.Encryption), encryptionString(o.Encryption)))
	}
	switch {
	case s.AutoScaling == nil:
		s.AutoScaling = o.AutoScaling
	case o.AutoScaling != nil && *o.AutoScaling != *s.AutoScaling:
		errs = append(errs, "different auto scaling")
	}
	switch {
	case s.WarmThroughput == nil:
		s.WarmThroughput = o.WarmThroughput
	case o.WarmThroughput != nil && *o.WarmThroughput != *s.WarmThroughput:
		errs = append(errs, "different warm throughput")
	}
	if o.Tags != nil {
		if s.Tags == nil {
			s.Tags = map[string]string{}
		}
		for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
			if v, ok := s.Tags[k]; ok && v != o.Tags[k] {
				errs = append(errs, fmt.Sprintf("tag %s is %q in one and %q in the other", k, v, o.Tags[k]))
			}
			s.Tags[k] = o.Tags[k]
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// addTo adds the settings CreateTable takes to in: all but point-in-time
// recovery (UpdateContinuousBackups) and auto scaling (another service).
func (s Settings) addTo(in *dynamodb.CreateTableInput) {
	if s.Stream != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(s.Stream)}
	}
	if s.DeletionProtection {
		in.DeletionProtectionEnabled = aws.Bool(true)
	}
	if s.TableClass != "" {
		in.TableClass = types.TableClass(s.TableClass)
	}
	if s.Encryption.KMS {
		in.SSESpecification = sseSpecification(s.Encryption)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(s.Tags[k])})
	}
	if wt := s.WarmThroughput; wt != nil {
		in.WarmThroughput = &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(wt.ReadUnitsPerSecond), WriteUnitsPerSecond: aws.Int64(wt.WriteUnitsPerSecond)}
	}
}

// sseSpecification returns the request form of e.
func sseSpecification(e model.Encryption) *types.SSESpecification {
	if !e.KMS {
		return &types.SSESpecification{Enabled: aws.Bool(false)}
	}
	out := &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms}
	if e.KMSKeyARN != "" {
		out.KMSMasterKeyId = aws.String(e.KMSKeyARN)
	}
	return out
}

// settingsFrom reads the settings a table description holds: all but
// point-in-time recovery and tags, which [describeSettings] asks for.
func settingsFrom(td *types.TableDescription) Settings {
	var s Settings
	if ss := td.StreamSpecification; ss != nil && aws.ToBool(ss.StreamEnabled) {
		s.Stream = model.StreamView(ss.StreamViewType)
	}
	s.DeletionProtection = aws.ToBool(td.DeletionProtectionEnabled)
	if c := td.TableClassSummary; c != nil && c.TableClass != "" && c.TableClass != types.TableClassStandard {
		s.TableClass = model.TableClass(c.TableClass)
	}
	if sse := td.SSEDescription; sse != nil && sse.SSEType == types.SSETypeKms {
		switch sse.Status {
		case types.SSEStatusEnabled, types.SSEStatusEnabling, types.SSEStatusUpdating:
			s.Encryption = model.Encryption{KMS: true, KMSKeyARN: aws.ToString(sse.KMSMasterKeyArn)}
		}
	}
	if wt := td.WarmThroughput; wt != nil && (wt.ReadUnitsPerSecond != nil || wt.WriteUnitsPerSecond != nil) {
		s.WarmThroughput = &model.WarmThroughput{ReadUnitsPerSecond: aws.ToInt64(wt.ReadUnitsPerSecond), WriteUnitsPerSecond: aws.ToInt64(wt.WriteUnitsPerSecond)}
	}
	return s
}

// describeSettings reads the settings of t that DescribeTable does not
// hold: point-in-time recovery (DescribeContinuousBackups) and tags
// (ListTagsOfResource, when t.ARN is known).
func describeSettings(ctx context.Context, c client, t *Definition) error {
	cb, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(t.Name)})
	if err != nil {
		return failed(fmt.Sprintf("describe continuous backups of %s", t.Name), err)
	}
	if d := cb.ContinuousBackupsDescription; d != nil && d.PointInTimeRecoveryDescription != nil {
		t.PointInTimeRecovery = d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled
	}
	if t.ARN == "" {
		return nil
	}
	in := &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(t.ARN)}
	for {
		out, err := c.ListTagsOfResource(ctx, in)
		if err != nil {
			return failed(fmt.Sprintf("list tags of %s", t.Name), err)
		}
		for _, tag := range out.Tags {
			if t.Tags == nil {
				t.Tags = map[string]string{}
			}
			t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in = &dynamodb.ListTagsOfResourceInput{ResourceArn: in.ResourceArn, NextToken: out.NextToken}
	}
}

// settingsChanges returns the changes that give have want's settings, each
// one request: DynamoDB takes one kind of change per UpdateTable.
func settingsChanges(want, have *Definition) []Change {
	var out []Change
	update := func(kind ChangeKind, detail string, set func(*dynamodb.UpdateTableInput)) {
		in := &dynamodb.UpdateTableInput{TableName: aws.String(want.Name)}
		set(in)
		out = append(out, Change{Table: want.Name, Kind: kind, Detail: detail, in: in})
	}
	w, h := want.Settings, have.Settings
	if w.Stream != h.Stream {
		// DynamoDB changes a stream's view type only by turning the stream
		// off and on again, which starts a new stream.
		if h.Stream != "" {
			why := "not in any model"
			if w.Stream != "" {
				why = "to enable it with " + string(w.Stream)
			}
			c := Change{Table: want.Name, Kind: DisableStream, Detail: string(h.Stream) + " (" + why + "; readers lose their place, the old stream's records stay readable for 24 hours)", Destructive: true,
				in: &dynamodb.UpdateTableInput{TableName: aws.String(want.Name), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}}
			out = append(out, c)
		}
		if w.Stream != "" {
			update(EnableStream, string(w.Stream), func(in *dynamodb.UpdateTableInput) {
				in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(w.Stream)}
			})
		}
	}
	if w.PointInTimeRecovery != h.PointInTimeRecovery {
		out = append(out, pitrChange(want.Name, w.PointInTimeRecovery))
	}
	if w.DeletionProtection != h.DeletionProtection {
		update(UpdateDeletionProtection, onOff(h.DeletionProtection)+" → "+onOff(w.DeletionProtection), func(in *dynamodb.UpdateTableInput) {
			in.DeletionProtectionEnabled = aws.Bool(w.DeletionProtection)
		})
		// Turning the protection off takes away what guards the data.
		out[len(out)-1].Destructive = h.DeletionProtection
	}
	if classOf(w.TableClass) != classOf(h.TableClass) {
		update(UpdateTableClass, string(classOf(h.TableClass))+" → "+string(classOf(w.TableClass)), func(in *dynamodb.UpdateTableInput) {
			in.TableClass = types.TableClass(classOf(w.TableClass))
		})
	}
	if !sameEncryption(w.Encryption, h.Encryption) {
		update(UpdateEncryption, encryptionString(h.Encryption)+" → "+encryptionString(w.Encryption), func(in *dynamodb.UpdateTableInput) {
			in.SSESpecification = sseSpecification(w.Encryption)
		})
	}
	if wt := w.WarmThroughput; wt != nil {
		hw := model.WarmThroughput{}
		if h.WarmThroughput != nil {
			hw = *h.WarmThroughput
		}
		if hw.ReadUnitsPerSecond < wt.ReadUnitsPerSecond || hw.WriteUnitsPerSecond < wt.WriteUnitsPerSecond {
			// Warm throughput only grows: a side already above the model's
			// is kept.
			next := model.WarmThroughput{ReadUnitsPerSecond: max(hw.ReadUnitsPerSecond, wt.ReadUnitsPerSecond), WriteUnitsPerSecond: max(hw.WriteUnitsPerSecond, wt.WriteUnitsPerSecond)}
			update(UpdateWarmThroughput, warmString(hw)+" → "+warmString(next), func(in *dynamodb.UpdateTableInput) {
				in.WarmThroughput = &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(next.ReadUnitsPerSecond), WriteUnitsPerSecond: aws.Int64(next.WriteUnitsPerSecond)}
			})
		}
	}
	if w.Tags != nil {
		out = append(out, tagChanges(want.Name, have.ARN, w.Tags, h.Tags)...)
	}
	return out
}

// tagChanges returns the TagResource and UntagResource requests that turn
// the tags have into want on the table whose ARN is arn.
func tagChanges(table, arn string, want, have map[string]string) []Change {
	var set []types.Tag
	var details, remove, removed []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := have[k]; !ok || v != want[k] {
			set = append(set, types.Tag{Key: aws.String(k), Value: aws.String(want[k])})
			details = append(details, k+"="+want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
			removed = append(removed, k+"="+have[k])
		}
	}
	var out []Change
	if len(remove) > 0 {
		out = append(out, Change{Table: table, Kind: UntagTable, Detail: strings.Join(removed, ", ") + " (not in any model)",
			in: &dynamodb.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}})
	}
	if len(set) > 0 {
		out = append(out, Change{Table: table, Kind: TagTable, Detail: strings.Join(details, ", "),
			in: &dynamodb.TagResourceInput{ResourceArn: aws.String(arn), Tags: set}})
	}
	return out
}

// enablePITR turns point-in-time recovery on unless it already is, as
// [Create] does with TTL.
func enablePITR(ctx context.Context, c client, table string) error {
	t := &Definition{Name: table}
	if err := describeSettings(ctx, c, t); err != nil {
		return err
	}
	if t.PointInTimeRecovery {
		return nil
	}
	if _, err := c.UpdateContinuousBackups(ctx, pitrChange(table, true).in.(*dynamodb.UpdateContinuousBackupsInput)); err != nil {
		return failed(fmt.Sprintf("enable point-in-time recovery on %s", table), err)
	}
	return nil
}

func pitrChange(table string, enabled bool) Change {
	c := Change{Table: table, Kind: EnablePITR, in: &dynamodb.UpdateContinuousBackupsInput{
		TableName:                        aws.String(table),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(enabled)},
	}}
	if !enabled {
		c.Kind, c.Destructive, c.Detail = DisablePITR, true, "the restore points of the last 35 days are lost"
	}
	return c
}

// applySetting sends the requests of setting changes that are not
// UpdateTable; it reports false for other requests.
func applySetting(ctx context.Context, c client, in any) (bool, error) {
	var err error
	switch in := in.(type) {
	case *dynamodb.UpdateContinuousBackupsInput:
		_, err = c.UpdateContinuousBackups(ctx, in)
	case *dynamodb.TagResourceInput:
		if aws.ToString(in.ResourceArn) == "" {
			return true, errors.New("no table ARN (plan with a live description)")
		}
		_, err = c.TagResource(ctx, in)
	case *dynamodb.UntagResourceInput:
		if aws.ToString(in.ResourceArn) == "" {
			return true, errors.New("no table ARN (plan with a live description)")
		}
		_, err = c.UntagResource(ctx, in)
	default:
		return false, nil
	}
	return true, err
}

func classOf(c model.TableClass) model.TableClass {
	if c == "" {
		return model.TableClassStandard
	}
	return c
}

// sameEncryption reports whether have, as DynamoDB describes it, is the
// encryption want asks for. DynamoDB describes a KMS key by its ARN, the
// AWS managed key included, so a want without an ARN matches any KMS key
// (a managed key cannot be told from a customer key by its description).
func sameEncryption(want, have model.Encryption) bool {
	if want.KMS != have.KMS {
		return false
	}
	if !want.KMS || want.KMSKeyARN == "" {
		return true
	}
	return want.KMSKeyARN == have.KMSKeyARN
}

func encryptionString(e model.Encryption) string {
	switch {
	case !e.KMS:
		return "AWS owned key"
	case e.KMSKeyARN == "":
		return "AWS managed KMS key"
	}
	return "KMS key " + e.KMSKeyARN
}

func warmString(w model.WarmThroughput) string {
	return fmt.Sprintf("%d/%d per second", w.ReadUnitsPerSecond, w.WriteUnitsPerSecond)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
