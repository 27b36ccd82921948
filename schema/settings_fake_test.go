package schema

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table settings of fakeClient, as DynamoDB keeps them: UpdateTable
// and CreateTable set the stream, class, protection, encryption and warm
// throughput; point-in-time recovery and tags have their own calls. Reads
// (DescribeContinuousBackups, ListTagsOfResource) are not recorded in
// calls, so tests of other changes see the calls they saw before.

const fakeARN = "arn:aws:dynamodb:us-east-1:123456789012:table/"

func (f *fakeClient) createSettings(td *types.TableDescription, in *dynamodb.CreateTableInput) {
	td.TableArn = aws.String(fakeARN + aws.ToString(in.TableName))
	if in.TableClass != "" {
		td.TableClassSummary = &types.TableClassSummary{TableClass: in.TableClass}
	}
	td.DeletionProtectionEnabled = in.DeletionProtectionEnabled
	if s := in.StreamSpecification; s != nil && aws.ToBool(s.StreamEnabled) {
		td.StreamSpecification = s
	}
	setSSE(td, in.SSESpecification)
	if w := in.WarmThroughput; w != nil {
		td.WarmThroughput = &types.TableWarmThroughputDescription{ReadUnitsPerSecond: w.ReadUnitsPerSecond, WriteUnitsPerSecond: w.WriteUnitsPerSecond}
	}
	if len(in.Tags) > 0 {
		if f.tags == nil {
			f.tags = map[string]map[string]string{}
		}
		m := map[string]string{}
		for _, t := range in.Tags {
			m[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		f.tags[fakeARN+aws.ToString(in.TableName)] = m
	}
}

func updateSettings(td *types.TableDescription, in *dynamodb.UpdateTableInput) {
	if in.TableClass != "" {
		td.TableClassSummary = &types.TableClassSummary{TableClass: in.TableClass}
	}
	if in.DeletionProtectionEnabled != nil {
		td.DeletionProtectionEnabled = in.DeletionProtectionEnabled
	}
	if s := in.StreamSpecification; s != nil {
		td.StreamSpecification = nil
		if aws.ToBool(s.StreamEnabled) {
			td.StreamSpecification = s
		}
	}
	setSSE(td, in.SSESpecification)
	if w := in.WarmThroughput; w != nil {
		td.WarmThroughput = &types.TableWarmThroughputDescription{ReadUnitsPerSecond: w.ReadUnitsPerSecond, WriteUnitsPerSecond: w.WriteUnitsPerSecond}
	}
}

func setSSE(td *types.TableDescription, s *types.SSESpecification) {
	switch {
	case s == nil:
	case !aws.ToBool(s.Enabled):
		td.SSEDescription = nil
	default:
		arn := aws.ToString(s.KMSMasterKeyId)
		if arn == "" {
			arn = "arn:aws:kms:us-east-1:123456789012:key/aws-managed"
		}
		td.SSEDescription = &types.SSEDescription{Status: types.SSEStatusEnabled, SSEType: types.SSETypeKms, KMSMasterKeyArn: aws.String(arn)}
	}
}

func (f *fakeClient) DescribeContinuousBackups(_ context.Context, in *dynamodb.DescribeContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tables[aws.ToString(in.TableName)] == nil {
		return nil, &types.TableNotFoundException{Message: aws.String("no table")}
	}
	status := types.PointInTimeRecoveryStatusDisabled
	if f.pitr[aws.ToString(in.TableName)] {
		status = types.PointInTimeRecoveryStatusEnabled
	}
	return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &types.ContinuousBackupsDescription{
		ContinuousBackupsStatus:        types.ContinuousBackupsStatusEnabled,
		PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: status},
	}}, nil
}

func (f *fakeClient) UpdateContinuousBackups(_ context.Context, in *dynamodb.UpdateContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("UpdateContinuousBackups", in.TableName, in)
	if f.tables[aws.ToString(in.TableName)] == nil {
		return nil, &types.TableNotFoundException{Message: aws.String("no table")}
	}
	if f.pitr == nil {
		f.pitr = map[string]bool{}
	}
	f.pitr[aws.ToString(in.TableName)] = aws.ToBool(in.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled)
	return &dynamodb.UpdateContinuousBackupsOutput{}, nil
}

func (f *fakeClient) ListTagsOfResource(_ context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.tags[aws.ToString(in.ResourceArn)]
	// One tag per page, to exercise NextToken.
	keys := slices.Sorted(maps.Keys(m))
	start := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		start = slices.Index(keys, tok)
	}
	out := &dynamodb.ListTagsOfResourceOutput{}
	if start >= 0 && start < len(keys) {
		out.Tags = []types.Tag{{Key: aws.String(keys[start]), Value: aws.String(m[keys[start]])}}
		if start+1 < len(keys) {
			out.NextToken = aws.String(keys[start+1])
		}
	}
	return out, nil
}

func (f *fakeClient) TagResource(_ context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.ResourceArn)
	f.record("TagResource", aws.String(strings.TrimPrefix(arn, fakeARN)), in)
	if f.tags == nil {
		f.tags = map[string]map[string]string{}
	}
	if f.tags[arn] == nil {
		f.tags[arn] = map[string]string{}
	}
	for _, t := range in.Tags {
		f.tags[arn][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &dynamodb.TagResourceOutput{}, nil
}

func (f *fakeClient) UntagResource(_ context.Context, in *dynamodb.UntagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.ResourceArn)
	f.record("UntagResource", aws.String(strings.TrimPrefix(arn, fakeARN)), in)
	for _, k := range in.TagKeys {
		delete(f.tags[arn], k)
	}
	return &dynamodb.UntagResourceOutput{}, nil
}
