package schema_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// Payment is a model whose table carries production settings.
type Payment struct {
	PaymentID string `dynamo:"payment_id,hash"`
	Account   string `dynamo:"account" index:"by-account,hash"`
}

// TableName is the base name of the payment table.
func (Payment) TableName() string { return "payment" }

// TableOptions declares the table's settings besides its keys.
func (Payment) TableOptions() model.Options {
	return model.Options{
		Stream:              model.StreamNewAndOldImages,
		PointInTimeRecovery: true,
		DeletionProtection:  true,
		Encryption:          model.AWSManagedKey(),
		Tags:                map[string]string{"team": "payments"},
	}
}

// Export gives each table as a Terraform aws_dynamodb_table in JSON form,
// to write as a .tf.json file next to the rest of the infrastructure.
func ExampleExport_terraform() {
	defs, err := schema.Export(&schema.Options{Namer: model.Prefix("prod-")}, model.MustOf[Payment]())
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range defs {
		fmt.Printf("%s.tf.json:\n%s\n", d.TerraformName, d.Terraform)
	}
	// Output:
	// prod_payment.tf.json:
	// {
	//   "resource": {
	//     "aws_dynamodb_table": {
	//       "prod_payment": {
	//         "name": "prod-payment",
	//         "billing_mode": "PAY_PER_REQUEST",
	//         "hash_key": "payment_id",
	//         "attribute": [
	//           {
	//             "name": "account",
	//             "type": "S"
	//           },
	//           {
	//             "name": "payment_id",
	//             "type": "S"
	//           }
	//         ],
	//         "global_secondary_index": [
	//           {
	//             "name": "by-account",
	//             "hash_key": "account",
	//             "projection_type": "ALL"
	//           }
	//         ],
	//         "point_in_time_recovery": {
	//           "enabled": true
	//         },
	//         "server_side_encryption": {
	//           "enabled": true
	//         },
	//         "stream_enabled": true,
	//         "stream_view_type": "NEW_AND_OLD_IMAGES",
	//         "deletion_protection_enabled": true,
	//         "tags": {
	//           "team": "payments"
	//         }
	//       }
	//     }
	//   }
	// }
}

// Export's Template is a whole CloudFormation template, with the
// Application Auto Scaling resources of models that declare
// model.AutoScaling.
func ExampleExport_files() {
	defs, err := schema.Export(&schema.Options{Namer: model.Prefix("prod-")}, model.MustOf[Payment]())
	if err != nil {
		log.Fatal(err)
	}
	infra, err := os.MkdirTemp("", "infra") // the repository's infra/, in a project
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(infra)
	for _, d := range defs {
		if err := os.WriteFile(filepath.Join(infra, d.TerraformName+".tf.json"), d.Terraform, 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(infra, d.LogicalID+".template.json"), d.Template, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	files, err := os.ReadDir(infra)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// ProdPaymentTable.template.json
	// prod_payment.tf.json
}

// Reading is a model whose provisioned capacity Application Auto Scaling
// moves.
type Reading struct {
	SensorID string `dynamo:"sensor_id,hash"`
	At       int64  `dynamo:"at,range"`
	Site     string `dynamo:"site" index:"by-site,hash"`
}

// TableName is the base name of the reading table.
func (Reading) TableName() string { return "reading" }

// TableOptions scales the reads and writes of the table and of its index.
func (Reading) TableOptions() model.Options {
	return model.Options{
		Billing: model.Provisioned(5, 5),
		AutoScaling: &model.AutoScaling{
			Read:  model.Scaling{Min: 5, Max: 500},
			Write: model.Scaling{Min: 5, Max: 100, TargetUtilization: 50},
		},
	}
}

// Create, Plan, Apply and Drop manage auto scaling through an Application
// Auto Scaling client made from the aws.Config of the DynamoDB client.
func ExampleCreate_autoScaling() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	c := dynamokit.New(cfg, dynamokit.WithNamer(model.Prefix("prod-")))
	opts := &schema.Options{AutoScalingClient: applicationautoscaling.NewFromConfig(cfg)}
	// Creates prod-reading, then registers a scalable target and a
	// target-tracking policy for the reads and the writes of the table
	// and of by-site.
	if err := schema.Create(ctx, c, opts, model.MustOf[Reading]()); err != nil {
		log.Fatal(err)
	}
}
