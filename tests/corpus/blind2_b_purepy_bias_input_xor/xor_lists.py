# Rede neural para o XOR sem numpy: listas puras.
# O bias é uma entrada extra constante igual a 1 (x + [1.0]) -> não há vetores de bias separados.
import math
import random

random.seed(8)

dados = [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]
N_ENT = 2 + 1        # duas entradas + o 1 do bias
N_OCULTA = 4

# pesos[j][i]: da entrada i para o neurônio oculto j (a última coluna faz o papel do bias)
pesos_oc = [[random.uniform(-1.0, 1.0) for _ in range(N_ENT)] for _ in range(N_OCULTA)]
# camada de saída: N_OCULTA pesos + 1 do bias (o oculto também recebe um 1 no fim)
pesos_sai = [random.uniform(-1.0, 1.0) for _ in range(N_OCULTA + 1)]
taxa = 0.7


def sigmoide(v):
    return 1.0 / (1.0 + math.exp(-v))


def propaga(x):
    entrada = x + [1.0]
    oculta = [sigmoide(sum(w * e for w, e in zip(linha, entrada))) for linha in pesos_oc]
    oculta_b = oculta + [1.0]
    saida = sigmoide(sum(w * h for w, h in zip(pesos_sai, oculta_b)))
    return entrada, oculta_b, saida


erros = []
for epoca in range(5000):
    soma = 0.0
    for x, alvo in dados:
        entrada, oculta_b, saida = propaga(x)
        soma += (saida - alvo) ** 2
        delta_s = (saida - alvo) * saida * (1.0 - saida)
        delta_o = [delta_s * pesos_sai[j] * oculta_b[j] * (1.0 - oculta_b[j]) for j in range(N_OCULTA)]
        for j in range(N_OCULTA + 1):
            pesos_sai[j] -= taxa * delta_s * oculta_b[j]
        for j in range(N_OCULTA):
            for i in range(N_ENT):
                pesos_oc[j][i] -= taxa * delta_o[j] * entrada[i]
    erros.append(soma / len(dados))
    if epoca % 1000 == 0:
        print("época", epoca, "erro", round(erros[-1], 5))

for x, alvo in dados:
    print(x, alvo, round(propaga(x)[2], 3))
