// Lesson 06: the host network — the seed's container5 on --network host.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'run-host',
      title: { en: "Run container5 in the host's network", ko: '호스트 네트워크에서 container5 실행하기' },
      check: check.sharesHostNetwork({ container: 'container5' }),
      hints: [
        { en: 'The network is called host.', ko: '네트워크 이름은 host입니다.' },
        'docker run -d --name container5 --network host nginx',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name container5 --network host nginx' }],
    },
    {
      id: 'port-80',
      title: { en: "Reach nginx on the host's port 80 without -p", ko: '-p 없이 호스트의 80번 포트로 nginx에 접속하기' },
      check: check.all(
        check.sharesHostNetwork({ container: 'container5' }),
        check.hostAnswers({ port: 80, via: 'http' }),
      ),
      hints: [
        { en: 'With the host network there is nothing to publish: nginx listens on the host itself.', ko: '호스트 네트워크에서는 공개할 것이 없습니다. nginx가 호스트 자체의 포트에서 수신 대기합니다.' },
        'curl -sI http://127.0.0.1/',
      ],
      solution: [{ host: 'node1', run: 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -sfI http://127.0.0.1/ && break; sleep 0.5; done' }],
    },
    {
      id: 'same-ip',
      title: { en: "See that container5 has the host's addresses", ko: 'container5가 호스트의 주소를 쓰는 것 확인하기' },
      check: check.all(
        check.sharesHostNetwork({ container: 'container5' }),
        check.containerRunning({ name: 'peer', network: 'bridge' }),
        check.reaches({ from: 'peer', to: '172.17.0.1', via: 'http' }),
      ),
      hints: [
        { en: 'Run a container named peer on the default bridge and fetch http://172.17.0.1/ from it: that is the host’s docker0 address.', ko: '기본 브리지에 peer라는 컨테이너를 실행하고 그 안에서 http://172.17.0.1/ 을 요청하세요. 호스트의 docker0 주소입니다.' },
        'docker run -d --name peer nginx; docker exec peer curl -sI http://172.17.0.1/',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name peer nginx' },
        { host: 'node1', run: 'docker exec peer curl -sI http://172.17.0.1/' },
      ],
    },
  ],
});
