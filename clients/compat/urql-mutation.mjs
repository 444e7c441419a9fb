// urql (@urql/core with fetchExchange): `createEmployer` with a bad
// organisation number answers a userError on ["input","organisationNumber"]
// with code INVALID and no employer; a valid number creates the employer
// with `userErrors: []`.
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { Client, fetchExchange, gql } from "@urql/core";
import { adminToken, check, httpUrl, show } from "./lib.mjs";

const CREATE_EMPLOYER = gql`
  mutation CompatCreateEmployer($input: CreateEmployerInput!) {
    createEmployer(input: $input) {
      employer {
        id
        name
        organisationNumber
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Luhn check digit over a string of digits (the Swedish one: weights 2, 1, 2, ...). */
function luhnDigit(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A random valid organisation number of a company (aktiebolag): 5X[2-9]XXX-XXXC. */
function randomOrganisationNumber() {
  let nine = `5${randomInt(10)}${randomInt(2, 10)}`;
  while (nine.length < 9) nine += String(randomInt(10));
  const ten = nine + luhnDigit(nine);
  return `${ten.slice(0, 6)}-${ten.slice(6)}`;
}

await check("urql-mutation", async () => {
  // The helper against known numbers before trusting it.
  assert.equal(luhnDigit("556016068"), 0, "luhnDigit is wrong for 556016-0680");
  assert.equal(luhnDigit("202100544"), 8, "luhnDigit is wrong for 202100-5448");
  const client = new Client({
    url: httpUrl(),
    exchanges: [fetchExchange],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${adminToken()}` } }),
  });
  const create = async (input) => {
    const result = await client.mutation(CREATE_EMPLOYER, { input }).toPromise();
    assert.ok(!result.error, `createEmployer(${show(input)}) failed: ${result.error?.message} ` +
      `${show(result.error?.graphQLErrors?.map((e) => ({ message: e.message, extensions: e.extensions })))}`);
    assert.ok(result.data?.createEmployer, `no createEmployer payload: ${show(result.data)}`);
    return result.data.createEmployer;
  };

  const suffix = randomOrganisationNumber();
  const bad = await create({ name: `Compat bad number ${suffix}`, organisationNumber: "556016-0681" });
  assert.equal(bad.employer, null, `an employer was created with a bad check digit: ${show(bad)}`);
  const badError = bad.userErrors.find((e) => e.code === "INVALID");
  assert.ok(badError, `no INVALID userError for 556016-0681: ${show(bad.userErrors)}`);
  assert.deepEqual(badError.field, ["input", "organisationNumber"],
    `the INVALID userError's field is ${show(badError.field)}, not ["input","organisationNumber"]`);

  const number = randomOrganisationNumber();
  const name = `Compat urql AB ${number}`;
  const good = await create({ name, organisationNumber: number });
  assert.deepEqual(good.userErrors, [], `${number} was refused: ${show(good.userErrors)}`);
  assert.ok(good.employer?.id, `no employer id for ${number}: ${show(good)}`);
  assert.equal(good.employer.name, name, "the employer's name was not stored as given");
  return `bad check digit -> INVALID on ["input","organisationNumber"] ("${badError.message}"); ` +
    `${number} -> employer ${good.employer.id}`;
});
