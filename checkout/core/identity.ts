/**
 * The band as an identity key, as the checkout offers it (docs/CHECKOUT.md "Sign in with your
 * band"): one object for the HTTP routes and pages, over identity-register.ts and
 * identity-login.ts.
 */
import { Status } from '../../shared/status/codes.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../api/webauthn.ts';
import type { Accounts } from './accounts.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import {
  type LoginState,
  type RequestOptions,
  type StartedLogin,
  finishLogin,
  loginChallenge,
  loginOptions,
  startLogin,
  takeLogin,
} from './identity-login.ts';
import {
  type CreationOptions,
  type CredentialView,
  credentialView,
  finishRegistration,
  registrationChallenge,
  startRegistration,
} from './identity-register.ts';

export class Identity {
  constructor(
    private readonly ctx: Ctx,
    private readonly accounts: Accounts,
  ) {}

  async startRegistration(
    accountId: string,
    origin: string,
  ): Promise<{ ceremonyId: string; options: CreationOptions }> {
    const account = await this.ctx.store.accounts.byId(accountId);
    if (!account) refuse(Status.NOT_FOUND, 'no such account');
    return startRegistration(this.ctx, account, origin);
  }
  registrationChallenge(
    accountId: string,
    ceremonyId: string,
    hello: Uint8Array,
    clientDataJSON: string,
  ): Promise<IssuedChallenge> {
    return registrationChallenge(this.ctx, accountId, ceremonyId, hello, clientDataJSON);
  }
  finishRegistration(
    accountId: string,
    ceremonyId: string,
    response: RegistrationResponseJSON,
    required: boolean,
  ): Promise<CredentialView> {
    return finishRegistration(this.ctx, accountId, ceremonyId, response, required);
  }
  async credentials(accountId: string): Promise<CredentialView[]> {
    return (await this.ctx.store.identity.credentialsOf(accountId)).map(credentialView);
  }
  async requiresBand(accountId: string): Promise<boolean> {
    return (await this.ctx.store.identity.credentialsOf(accountId)).some((c) => c.required);
  }
  /** Whether the account asks for its band after the password; refused without a registered band. */
  async setRequired(accountId: string, required: boolean): Promise<CredentialView[]> {
    if (required && (await this.ctx.store.identity.credentialsOf(accountId)).length === 0)
      refuse(Status.UNKNOWN_CREDENTIAL, 'register a band for sign-in first');
    await this.ctx.store.identity.setRequired(accountId, required);
    return this.credentials(accountId);
  }

  startLogin(origin: string, accountId: string | null): Promise<StartedLogin> {
    return startLogin(this.ctx, origin, accountId);
  }
  loginOptions(code: string): Promise<RequestOptions> {
    return loginOptions(this.ctx, code);
  }
  loginChallenge(code: string, hello: Uint8Array, clientDataJSON: string): Promise<IssuedChallenge> {
    return loginChallenge(this.ctx, code, hello, clientDataJSON);
  }
  finishLogin(code: string, response: AuthenticationResponseJSON): Promise<void> {
    return finishLogin(this.ctx, code, response);
  }
  takeLogin(ceremonyId: string, secret: string): Promise<LoginState> {
    return takeLogin(this.ctx, this.accounts, ceremonyId, secret);
  }
}
