/**
 * Refusing a database whose schema is newer than this code: after an upgrade is rolled back,
 * or when an old process starts beside new ones, it must not read tables whose meaning it
 * does not know (a newer migration may have moved money-bearing columns). Migrations are
 * forward-only, so the remedy is to run the newer wristpay.
 */
export class SchemaTooNew extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the database's schema is version ${found}, newer than this wristpay knows (${known}); run the wristpay that migrated it`,
    );
    this.name = 'SchemaTooNew';
  }
}
