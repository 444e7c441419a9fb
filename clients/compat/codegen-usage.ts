// Compiled with the generated types by codegen-check.mjs: the root types
// are there, the custom scalars map to the configured types, and inputs
// and payloads have the shape the other checks rely on.
import { OpportunityKind } from "./generated/schema-types";
import type {
  CreateEmployerInput,
  EmployerPayload,
  Mutation,
  PostInternshipSlotInput,
  Query,
  Scalars,
  Subscription,
  UserError,
} from "./generated/schema-types";

const day: Scalars["Date"]["output"] = "2027-01-12";
const instant: Scalars["DateTime"]["output"] = "2027-01-12T14:00:00+00:00";
const document: Scalars["JSON"]["output"] = { any: ["json"] };

const employer: CreateEmployerInput = { name: "Compat AB", organisationNumber: "556016-0680" };
const slot: PostInternshipSlotInput = {
  employerId: "RW1wbG95ZXI6MQ==",
  kind: OpportunityKind.Internship,
  places: 1,
  startsOn: day,
  title: "Compat",
  wantedSkills: [],
};

function firstField(payload: EmployerPayload): string[] | undefined {
  const error: UserError | undefined = payload.userErrors[0];
  return error?.field;
}

type Roots = [Query["participants"], Mutation["createEmployer"], Subscription["slotPosted"]];

export { day, instant, document, employer, slot, firstField };
export type { Roots };
