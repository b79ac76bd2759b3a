// ClickHouse's messages reach users without the FORMAT clause the client appended.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { userMessage } from '../../../dist/api/errors.js'

void test('userMessage drops the appended FORMAT and trailing blanks, keeps the rest', () => {
  assert.equal(
    userMessage(
      'Unknown expression identifier `x` in scope SELECT x FROM flows FORMAT JSON. (UNKNOWN_IDENTIFIER) ',
    ),
    'Unknown expression identifier `x` in scope SELECT x FROM flows. (UNKNOWN_IDENTIFIER)',
  )
  assert.equal(
    userMessage('Syntax error in: SELECT 1 +\nFORMAT CSVWithNames'),
    'Syntax error in: SELECT 1 +',
  )
  assert.equal(
    userMessage('Illegal type String of argument for aggregate function sum. '),
    'Illegal type String of argument for aggregate function sum.',
  )
  assert.equal(userMessage("column 'FORMATTED' is fine"), "column 'FORMATTED' is fine")
})
