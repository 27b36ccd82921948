package schema_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

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
	for _, d := range defs {
		if err := os.WriteFile(filepath.Join("infra", d.TerraformName+".tf.json"), d.Terraform, 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("infra", d.LogicalID+".template.json"), d.Template, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
